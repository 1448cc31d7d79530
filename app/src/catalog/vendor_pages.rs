//! The vendor's own pages: `/vendor`, the dashboard (views per day as a chart, every product
//! with its status and actions), and `/vendor/products/new` and `/vendor/products/{id}`, the
//! product editor (fields, images, submit for review). Forms are `ActionForm`s and the image
//! upload a plain multipart form, so everything works without the wasm.

use super::model::{FileProblem, ImageProblem, Product, ProductStatus, VendorDashboard};
use super::server::{
    DeleteProduct, RemoveProductFile, RemoveProductImage, SaveProduct, SubmitProduct,
    category_tree, dashboard_page, product_files, vendor_product,
};
use crate::components::chart::BarChart;
use crate::components::forms::{BUTTON, BUTTON_SECONDARY, Field, FormError, last_error};
use crate::platform::types::Timestamp;
use crate::shell::status::Loaded;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn VendorDashboardPage() -> impl IntoView {
    let query = use_query_map();
    let dashboard = Resource::new(
        move || query.read().get("page").and_then(|p| p.parse::<u32>().ok()),
        dashboard_page,
    );
    view! {
        <Title text="Vendor dashboard"/>
        <Loaded resource=dashboard view=|d| view! { <Dashboard d/> }/>
    }
}

#[component]
fn Dashboard(d: VendorDashboard) -> impl IntoView {
    let total: i64 = d.views.iter().map(|v| v.views).sum();
    let points = d
        .views
        .iter()
        .map(|v| {
            let date = Timestamp::from_millis(v.day * 86_400_000).display_date();
            (date, v.views)
        })
        .collect();
    let submit = ServerAction::<SubmitProduct>::new();
    let delete = ServerAction::<DeleteProduct>::new();
    let error = Signal::derive(move || {
        last_error(submit)
            .get()
            .or_else(|| last_error(delete).get())
    });
    let pages = d.products.total_pages().max(1);
    let page = d.products.page;
    view! {
        <div class="flex flex-wrap items-center gap-3">
            <h1 class="text-2xl font-bold">{d.store_name.clone()}</h1>
            <a class=BUTTON_SECONDARY href=format!("/vendors/{}", d.store_slug)>"View storefront"</a>
            <a class=BUTTON_SECONDARY href="/vendor/earnings">"Earnings and payouts"</a>
            <a class=BUTTON href="/vendor/products/new">"New product"</a>
        </div>
        <section aria-labelledby="views" class="mt-6 rounded-lg border border-slate-200 bg-white p-5">
            <h2 id="views" class="font-semibold">{format!("Product views, last 30 days: {total}")}</h2>
            <BarChart label=format!("Views per day over the last 30 days, {total} in all") points/>
        </section>
        <section aria-labelledby="products" class="mt-6">
            <h2 id="products" class="text-xl font-semibold">{format!("Your products ({})", d.products.total)}</h2>
            <FormError error/>
            <p class="text-sm text-red-700" role="alert">{move || error.get().and_then(|e| e.details().first().map(|f| f.message.clone()))}</p>
            {d.products.items.is_empty().then(|| view! {
                <p class="mt-2 text-slate-600">"No products yet: add your first one."</p>
            })}
            <ul class="mt-2 flex flex-col gap-3">
                {d.products.items.into_iter().map(|p| view! { <DashboardRow p submit delete/> }).collect_view()}
            </ul>
            <nav aria-label="Pages" class="mt-4 flex gap-3">
                {(page > 1).then(|| view! { <a class=BUTTON_SECONDARY href=format!("/vendor?page={}", page - 1)>"Previous"</a> })}
                {(page < pages).then(|| view! { <a class=BUTTON_SECONDARY href=format!("/vendor?page={}", page + 1)>"Next"</a> })}
            </nav>
        </section>
    }
}

#[component]
fn DashboardRow(
    p: Product,
    submit: ServerAction<SubmitProduct>,
    delete: ServerAction<DeleteProduct>,
) -> impl IntoView {
    let editable = matches!(p.status, ProductStatus::Draft | ProductStatus::Rejected);
    let (submit_id, delete_id) = (p.id.to_string(), p.id.to_string());
    view! {
        <li class="rounded-lg border border-slate-200 bg-white p-4">
            <article aria-label=p.title.clone() class="flex flex-wrap items-center gap-3">
                <div class="flex-1">
                    <h3 class="font-semibold"><a class="text-indigo-700 underline" href=format!("/vendor/products/{}", p.id)>{p.title.clone()}</a></h3>
                    <p class="text-sm text-slate-600">{format!("{} · {} · {} views · {} reviews", p.status.as_str(), p.price.display(), p.view_count, p.rating_count)}</p>
                    {p.rejection_reason.clone().map(|r| view! { <p class="text-sm text-red-800">{format!("Rejected: {r}")}</p> })}
                </div>
                {(p.status == ProductStatus::Active).then(|| view! {
                    <a class=BUTTON_SECONDARY href=format!("/products/{}", p.slug)>"View"</a>
                })}
                {editable.then(|| view! {
                    <ActionForm action=submit>
                        <input type="hidden" name="id" value=submit_id/>
                        <button type="submit" class=BUTTON_SECONDARY>"Submit for review"</button>
                    </ActionForm>
                    <ActionForm action=delete>
                        <input type="hidden" name="id" value=delete_id/>
                        <button type="submit" class=BUTTON_SECONDARY>"Delete"</button>
                    </ActionForm>
                })}
            </article>
        </li>
    }
}

/// `/vendor/products/new` and `/vendor/products/{id}`.
#[component]
pub fn ProductEditorPage() -> impl IntoView {
    let params = use_params_map();
    let product = Resource::new(
        move || params.read().get("id"),
        |id| async move {
            match id {
                Some(id) => vendor_product(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let tree = Resource::new(|| (), |_| category_tree());
    view! {
        <Loaded resource=product view=move |product| view! {
            <Loaded resource=tree view=move |tree| view! { <Editor product=product.clone() tree/> }/>
        }/>
    }
}

#[component]
fn Editor(product: Option<Product>, tree: Vec<super::model::Category>) -> impl IntoView {
    let save = ServerAction::<SaveProduct>::new();
    let error = last_error(save);
    let title = product
        .as_ref()
        .map_or("New product".to_owned(), |p| p.title.clone());
    let value = |f: fn(&Product) -> String| product.as_ref().map(f).unwrap_or_default();
    let units = |amount: i64| format!("{}.{:02}", amount / 100, amount % 100);
    let chosen = product.as_ref().map(|p| p.category_id.to_string());
    let (id, name, slug, summary, description, tags) = (
        value(|p| p.id.to_string()),
        value(|p| p.title.clone()),
        value(|p| p.slug.clone()),
        value(|p| p.summary.clone()),
        value(|p| p.description.clone()),
        value(|p| p.tags.join(", ")),
    );
    let price = product
        .as_ref()
        .map(|p| units(p.price.amount))
        .unwrap_or_default();
    let compare_at = product
        .as_ref()
        .and_then(|p| p.compare_at.as_ref().map(|c| units(c.amount)))
        .unwrap_or_default();
    let status = product.as_ref().map(|p| {
        let reason = p
            .rejection_reason
            .clone()
            .map(|r| format!(" — rejected: {r}"));
        format!(
            "Status: {}{}",
            p.status.as_str(),
            reason.unwrap_or_default()
        )
    });
    view! {
        <Title text=title.clone()/>
        <h1 class="text-2xl font-bold">{title}</h1>
        <p class="mt-1"><a class="text-indigo-700 underline" href="/vendor">"Back to the dashboard"</a></p>
        {status.map(|status| view! { <p class="mt-2 text-sm">{status}</p> })}
        <ActionForm action=save attr:class="mt-4 flex max-w-2xl flex-col gap-3 rounded-lg border border-slate-200 bg-white p-5">
            <FormError error/>
            <input type="hidden" name="form[id]" value=id/>
            <Field label="Title" name="form[title]" field="title" required=true value=name error/>
            <Field label="Address" name="form[slug]" field="slug" value=slug hint="Empty: made from the title." error/>
            <Field label="Summary" name="form[summary]" field="summary" value=summary error/>
            <div class="flex flex-col gap-1">
                <label for="field-description" class="text-sm font-medium">"Description (Markdown)"</label>
                <textarea id="field-description" name="form[description]" rows="8" class="rounded border border-slate-300 px-3 py-2">{description}</textarea>
                <p class="text-sm text-red-700" role="alert">{move || error.get().and_then(|e| e.field_message("description").map(str::to_owned))}</p>
            </div>
            <Field label="Price" name="form[price]" field="price" required=true value=price hint="In currency units, such as 29.00." error/>
            <Field label="Compare-at price" name="form[compare_at]" field="compareAt" value=compare_at hint="Optional: shown struck through when above the price." error/>
            <div class="flex flex-col gap-1">
                <label for="field-category" class="text-sm font-medium">"Category"</label>
                <select id="field-category" name="form[category_id]" class="rounded border border-slate-300 px-2 py-2">
                    {tree.into_iter().map(|c| {
                        let selected = chosen.as_deref() == Some(c.id.as_str());
                        view! { <option value=c.id.to_string() selected=selected>{format!("{}{}", "— ".repeat(usize::from(c.depth)), c.name)}</option> }
                    }).collect_view()}
                </select>
            </div>
            <Field label="Tags" name="form[tags]" field="tags" value=tags hint="Separated by commas, such as n8n, sales." error/>
            <button type="submit" class=BUTTON>"Save"</button>
        </ActionForm>
        {product.map(|p| view! {
            <Files id=p.id.to_string()/>
            <Images p/>
        })}
    }
}

/// The files buyers download, each with a remove button, and the upload form.
#[component]
fn Files(id: String) -> impl IntoView {
    let remove = ServerAction::<RemoveProductFile>::new();
    let error = last_error(remove);
    let files = Resource::new(
        {
            let id = id.clone();
            move || (id.clone(), remove.version().get())
        },
        |(id, _)| product_files(id),
    );
    let query = use_query_map();
    let outcome = move || {
        query
            .read()
            .get("file")
            .and_then(|code| FileProblem::from_code(&code))
            .map(FileProblem::message)
    };
    let product_id = id.clone();
    view! {
        <section id="files" aria-labelledby="files-title" class="mt-6 max-w-2xl rounded-lg border border-slate-200 bg-white p-5">
            <h2 id="files-title" class="font-semibold">"Files for buyers"</h2>
            <FormError error/>
            <Loaded resource=files view=move |list| {
                let product_id = product_id.clone();
                view! {
                    {list.is_empty().then(|| view! { <p class="mt-2 text-sm text-slate-600">"No files yet: buyers download what you add here."</p> })}
                    <ul class="mt-2 flex flex-col gap-2">
                        {list.into_iter().map(|f| {
                            let product_id = product_id.clone();
                            view! {
                                <li class="flex items-center gap-3">
                                    <span>{format!("{} ({} KB)", f.name, f.bytes.div_ceil(1024))}</span>
                                    <ActionForm action=remove>
                                        <input type="hidden" name="product_id" value=product_id/>
                                        <input type="hidden" name="file_id" value=f.id.to_string()/>
                                        <button type="submit" class=BUTTON_SECONDARY>"Remove"</button>
                                    </ActionForm>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }
            }/>
            <form method="post" enctype="multipart/form-data" action=format!("/vendor/products/{id}/files") class="mt-3 flex flex-wrap items-end gap-3">
                <div class="flex flex-col gap-1">
                    <label for="file-upload" class="text-sm font-medium">"Add a file"</label>
                    <input id="file-upload" name="file" type="file" required/>
                </div>
                <button type="submit" class=BUTTON_SECONDARY>"Upload"</button>
            </form>
            <p role="alert" class="mt-2 text-sm text-red-700">{outcome}</p>
            <p class="mt-1 text-xs text-slate-500">"Any file up to 100 MB, kept private; at most 5 files."</p>
        </section>
    }
}

/// The product's images, each with a remove button, and the upload form.
#[component]
fn Images(p: Product) -> impl IntoView {
    let remove = ServerAction::<RemoveProductImage>::new();
    let query = use_query_map();
    let problem = move || {
        query
            .read()
            .get("image")
            .and_then(|code| ImageProblem::from_code(&code))
            .map(ImageProblem::message)
    };
    let product_id = p.id.to_string();
    view! {
        <section id="images" aria-labelledby="images-title" class="mt-6 max-w-2xl rounded-lg border border-slate-200 bg-white p-5">
            <h2 id="images-title" class="font-semibold">"Images"</h2>
            <ul class="mt-2 flex flex-wrap gap-3">
                {p.images.into_iter().map(|image| {
                    let product_id = product_id.clone();
                    view! {
                        <li class="flex flex-col gap-1">
                            <img src=image.thumbnail_url alt=image.alt width="160" height="107" class="h-28 w-40 rounded object-cover"/>
                            <ActionForm action=remove>
                                <input type="hidden" name="product_id" value=product_id/>
                                <input type="hidden" name="image_id" value=image.id.to_string()/>
                                <button type="submit" class=BUTTON_SECONDARY>"Remove"</button>
                            </ActionForm>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <form method="post" enctype="multipart/form-data" action=format!("/vendor/products/{}/images", p.id) class="mt-3 flex flex-wrap items-end gap-3">
                <div class="flex flex-col gap-1">
                    <label for="image-file" class="text-sm font-medium">"Add an image"</label>
                    <input id="image-file" name="image" type="file" accept="image/png,image/jpeg,image/webp" required/>
                </div>
                <div class="flex flex-col gap-1">
                    <label for="image-alt" class="text-sm font-medium">"Description for screen readers"</label>
                    <input id="image-alt" name="alt" maxlength="200" class="rounded border border-slate-300 px-3 py-1.5"/>
                </div>
                <button type="submit" class=BUTTON_SECONDARY>"Upload"</button>
            </form>
            <p role="alert" class="mt-2 text-sm text-red-700">{problem}</p>
            <p class="mt-1 text-xs text-slate-500">"PNG, JPEG or WebP, at most 5 MB, 200 to 6000 pixels a side; up to 8 images."</p>
        </section>
    }
}
