//! `/admin/categories`: the category tree, with a form to add a category and, per category,
//! forms to rename, re-address, move or reorder it and to delete it. Every form is an
//! `ActionForm`, so each also works before the wasm has loaded.

use super::model::Category;
use super::server::{CreateCategory, DeleteCategory, UpdateCategory, category_tree};
use crate::components::forms::{BUTTON, BUTTON_SECONDARY, Field, FormError, last_error};
use crate::shell::status::Loaded;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

/// The `<option>`s of a parent choice: the top level, then every category indented by depth.
fn parent_options(tree: &[Category], selected: Option<&str>, except: Option<&str>) -> AnyView {
    let top = selected.is_none();
    let options: Vec<(String, String, bool)> = tree
        .iter()
        .filter(|c| Some(c.id.as_str()) != except)
        .map(|c| {
            let label = format!("{}{}", "— ".repeat(usize::from(c.depth)), c.name);
            (c.id.to_string(), label, Some(c.id.as_str()) == selected)
        })
        .collect();
    view! {
        <option value="" selected=top>"(top level)"</option>
        {options.into_iter().map(|(value, label, chosen)| view! {
            <option value=value selected=chosen>{label}</option>
        }).collect_view()}
    }
    .into_any()
}

#[component]
pub fn AdminCategoriesPage() -> impl IntoView {
    let create = ServerAction::<CreateCategory>::new();
    let update = ServerAction::<UpdateCategory>::new();
    let delete = ServerAction::<DeleteCategory>::new();
    let create_error = last_error(create);
    let update_error = last_error(update);
    let delete_error = last_error(delete);
    let tree = Resource::new(
        move || {
            (
                create.version().get(),
                update.version().get(),
                delete.version().get(),
            )
        },
        |_| category_tree(),
    );
    view! {
        <Title text="Categories"/>
        <h1 class="text-2xl font-bold">"Categories"</h1>
        <FormError error=update_error/>
        <FormError error=delete_error/>
        <p class="text-sm text-red-700" role="alert">
            {move || update_error.get().or_else(|| delete_error.get()).and_then(|e| e.details().first().map(|d| d.message.clone()))}
        </p>
        <Loaded resource=tree view=move |tree| {
            let new_parent = parent_options(&tree, None, None);
            let rows = tree.iter().map(|c| {
                let id = c.id.to_string();
                let options = parent_options(&tree, c.parent_id.as_ref().map(|p| p.as_str()), Some(id.as_str()));
                (c.clone(), id, options)
            }).collect::<Vec<_>>();
            view! {
                <section aria-labelledby="new-category" class="mt-4 rounded-lg border border-slate-200 bg-white p-5">
                    <h2 id="new-category" class="mb-3 text-lg font-semibold">"Add a category"</h2>
                    <ActionForm action=create attr:class="flex flex-wrap items-end gap-3">
                        <FormError error=create_error/>
                        <Field label="Name" name="name" field="name" required=true error=create_error/>
                        <Field label="Address" name="slug" field="slug" hint="Empty: made from the name." error=create_error/>
                        <div class="flex flex-col gap-1">
                            <label for="new-parent" class="text-sm font-medium">"Parent"</label>
                            <select id="new-parent" name="parent_id" class="rounded border border-slate-300 px-2 py-2">
                                {new_parent}
                            </select>
                            <p class="text-sm text-red-700" role="alert">{move || create_error.get().and_then(|e| e.field_message("parentId").map(str::to_owned))}</p>
                        </div>
                        <button type="submit" class=BUTTON>"Add"</button>
                    </ActionForm>
                </section>
                <ul class="mt-4 flex flex-col gap-2">
                    {rows.into_iter().map(|(c, id, options)| {
                        let (update_id, delete_id) = (id.clone(), id.clone());
                        let (label, name, slug, position) = (c.name.clone(), c.name, c.slug, c.position.to_string());
                        let indent = format!("margin-left: {}rem", u32::from(c.depth) * 2);
                        let name_id = format!("name-{id}");
                        let slug_id = format!("slug-{id}");
                        let parent_id = format!("parent-{id}");
                        let position_id = format!("position-{id}");
                        view! {
                            <li class="rounded-lg border border-slate-200 bg-white p-3" style=indent>
                                <article aria-label=label class="flex flex-wrap items-end gap-3">
                                    <ActionForm action=update attr:class="flex flex-wrap items-end gap-2">
                                        <input type="hidden" name="id" value=update_id/>
                                        <div class="flex flex-col gap-1">
                                            <label for=name_id.clone() class="text-xs font-medium">"Name"</label>
                                            <input id=name_id name="name" value=name class="rounded border border-slate-300 px-2 py-1"/>
                                        </div>
                                        <div class="flex flex-col gap-1">
                                            <label for=slug_id.clone() class="text-xs font-medium">"Address"</label>
                                            <input id=slug_id name="slug" value=slug class="rounded border border-slate-300 px-2 py-1"/>
                                        </div>
                                        <div class="flex flex-col gap-1">
                                            <label for=parent_id.clone() class="text-xs font-medium">"Parent"</label>
                                            <select id=parent_id name="parent_id" class="rounded border border-slate-300 px-2 py-1">{options}</select>
                                        </div>
                                        <div class="flex flex-col gap-1">
                                            <label for=position_id.clone() class="text-xs font-medium">"Position"</label>
                                            <input id=position_id name="position" type="number" min="0" max="1000" value=position class="w-20 rounded border border-slate-300 px-2 py-1"/>
                                        </div>
                                        <button type="submit" class=BUTTON_SECONDARY>"Save"</button>
                                    </ActionForm>
                                    <ActionForm action=delete>
                                        <input type="hidden" name="id" value=delete_id/>
                                        <button type="submit" class=BUTTON_SECONDARY>"Delete"</button>
                                    </ActionForm>
                                </article>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }
        }/>
    }
}
