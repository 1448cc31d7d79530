//! The storefront's `/products` (search, filters, sort and page, all in the URL) and
//! `/products/{slug}`; `/admin/products`, the review queue; and `/admin/categories`: the category tree, with a form to add a
//! category and, per category, forms to rename, re-address, move or reorder it and to delete
//! it. Every form is a plain GET form or an `ActionForm`, so each works before the wasm has
//! loaded.

use super::model::{BrowseQuery, Category, Product, ProductImage, ProductSort, ProductStatus};
use super::server::{
    ApproveProduct, CreateCategory, DeleteCategory, RejectProduct, UpdateCategory, browse_products,
    category_tree, product_page, review_products,
};
use crate::components::forms::{BUTTON, BUTTON_SECONDARY, Field, FormError, last_error};
use crate::shell::status::Loaded;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

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

/// The list's query from the URL: `q`, `category`, `vendor`, `tag`, `min` and `max` (whole
/// currency units), `sort`, `order` and `page` — so every list is a shareable link.
fn browse_from_url() -> Memo<BrowseQuery> {
    let query = use_query_map();
    Memo::new(move |_| {
        let q = query.read();
        let text = |key: &str| {
            q.get(key)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let units = |key: &str| {
            text(key)
                .and_then(|v| v.parse::<i64>().ok())
                .map(|v| v.saturating_mul(100))
        };
        BrowseQuery {
            search: text("q"),
            category: text("category"),
            vendor: text("vendor"),
            tag: text("tag"),
            min_price: units("min"),
            max_price: units("max"),
            sort: text("sort").and_then(|s| ProductSort::parse(&s)),
            ascending: text("order").map(|o| o == "asc"),
            page: text("page").and_then(|p| p.parse().ok()),
            limit: Some(24),
        }
    })
}

/// The link to page `page` of the same list.
fn browse_link(query: &BrowseQuery, page: u32) -> String {
    let mut parts = vec![format!("page={page}")];
    let mut add = |key: &str, value: Option<String>| {
        if let Some(value) = value {
            let encoded: String = value
                .bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || b == b'-' {
                        char::from(b).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect();
            parts.push(format!("{key}={encoded}"));
        }
    };
    add("q", query.search.clone());
    add("category", query.category.clone());
    add("vendor", query.vendor.clone());
    add("tag", query.tag.clone());
    add("min", query.min_price.map(|v| (v / 100).to_string()));
    add("max", query.max_price.map(|v| (v / 100).to_string()));
    add("sort", query.sort.map(|s| s.as_str().to_owned()));
    add(
        "order",
        query
            .ascending
            .map(|a| if a { "asc" } else { "desc" }.to_owned()),
    );
    format!("/products?{}", parts.join("&"))
}

/// A product in a grid: title, storefront, price (the compare-at price struck through when it
/// is on sale).
#[component]
fn ProductCard(product: Product) -> impl IntoView {
    view! {
        <li class="flex flex-col rounded-lg border border-slate-200 bg-white p-4">
            <article aria-label=product.title.clone() class="flex flex-1 flex-col gap-1">
                <Cover product=&product/>
                <h2 class="font-semibold">
                    <a class="text-indigo-700 hover:underline" href=format!("/products/{}", product.slug)>{product.title.clone()}</a>
                </h2>
                <p class="text-sm text-slate-600">
                    "by " <a class="hover:underline" href=format!("/vendors/{}", product.vendor_slug)>{product.vendor_name.clone()}</a>
                </p>
                <p class="text-sm text-slate-700">{product.summary.clone()}</p>
                <p class="mt-auto pt-2">
                    <span class="font-semibold">{product.price.display()}</span>
                    {product.on_sale.then(|| product.compare_at.as_ref().map(|c| view! {
                        " " <s class="text-sm text-slate-500" aria-label=format!("was {}", c.display())>{c.display()}</s>
                    }))}
                </p>
            </article>
        </li>
    }
}

/// A card's picture: the cover's thumbnail (decorative: the title follows), or a plain
/// panel of the same size.
#[component]
fn Cover<'a>(product: &'a Product) -> impl IntoView {
    match product.images.first() {
        Some(image) => view! {
            <img src=image.thumbnail_url.clone() alt="" loading="lazy" width="480" height="320"
                class="mb-2 aspect-[3/2] w-full rounded object-cover"/>
        }
        .into_any(),
        None => view! { <div class="mb-2 aspect-[3/2] w-full rounded bg-slate-100" aria-hidden="true"></div> }.into_any(),
    }
}

/// The product page's pictures: the cover at full width, then every image as a link to its
/// full size.
#[component]
fn Gallery(images: Vec<ProductImage>) -> impl IntoView {
    let cover = images.first().cloned();
    let more = images.len() > 1;
    view! {
        {cover.map(|c| view! {
            <img src=c.url alt=c.alt width=c.width height=c.height class="mt-4 max-h-[28rem] w-full rounded-lg object-contain bg-white"/>
        })}
        {more.then(|| view! {
            <ul aria-label="Gallery" class="mt-2 flex flex-wrap gap-2">
                {images.into_iter().map(|i| view! {
                    <li><a href=i.url><img src=i.thumbnail_url alt=i.alt loading="lazy" width="96" height="64" class="h-16 w-24 rounded object-cover"/></a></li>
                }).collect_view()}
            </ul>
        })}
    }
}

#[component]
pub fn ProductsPage() -> impl IntoView {
    let query = browse_from_url();
    let results = Resource::new(move || query.get(), browse_products);
    let tree = Resource::new(|| (), |_| category_tree());
    let selected = move |value: &str, current: Option<String>| current.as_deref() == Some(value);
    view! {
        <Title text="Products"/>
        <h1 class="text-2xl font-bold">
            {move || match query.get().search {
                Some(q) => format!("Results for “{q}”"),
                None => "Browse products".to_owned(),
            }}
        </h1>
        <form method="get" action="/products" role="search" class="mt-4 flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-4">
            <div class="flex flex-col gap-1">
                <label for="browse-q" class="text-sm font-medium">"Search"</label>
                <input id="browse-q" name="q" type="search" value=move || query.get().search.unwrap_or_default() class="rounded border border-slate-300 px-3 py-1.5"/>
            </div>
            <div class="flex flex-col gap-1">
                <label for="browse-category" class="text-sm font-medium">"Category"</label>
                <select id="browse-category" name="category" class="rounded border border-slate-300 px-2 py-1.5">
                    <option value="">"All"</option>
                    <Loaded resource=tree view=move |tree| tree.into_iter().map(|c| {
                        let chosen = selected(&c.slug, query.get_untracked().category);
                        view! { <option value=c.slug.clone() selected=chosen>{format!("{}{}", "— ".repeat(usize::from(c.depth)), c.name)}</option> }
                    }).collect_view()/>
                </select>
            </div>
            <div class="flex flex-col gap-1">
                <label for="browse-min" class="text-sm font-medium">"Min price"</label>
                <input id="browse-min" name="min" type="number" min="0" value=move || query.get().min_price.map(|v| (v / 100).to_string()) class="w-24 rounded border border-slate-300 px-2 py-1.5"/>
            </div>
            <div class="flex flex-col gap-1">
                <label for="browse-max" class="text-sm font-medium">"Max price"</label>
                <input id="browse-max" name="max" type="number" min="0" value=move || query.get().max_price.map(|v| (v / 100).to_string()) class="w-24 rounded border border-slate-300 px-2 py-1.5"/>
            </div>
            <div class="flex flex-col gap-1">
                <label for="browse-sort" class="text-sm font-medium">"Sort by"</label>
                <select id="browse-sort" name="sort" class="rounded border border-slate-300 px-2 py-1.5">
                    {[("", "Best match / newest"), ("newest", "Newest"), ("price", "Price"), ("popularity", "Popularity")].into_iter().map(|(v, l)| view! {
                        <option value=v selected=move || query.get().sort.map(|s| s.as_str()).unwrap_or("") == v>{l}</option>
                    }).collect_view()}
                </select>
            </div>
            <button type="submit" class=BUTTON>"Apply"</button>
        </form>
        <Loaded resource=results view=move |page| {
            let current = query.get_untracked();
            let total_pages = page.total_pages().max(1);
            if page.items.is_empty() {
                return view! {
                    <p role="status" class="mt-6 text-slate-600">"No products match. Try fewer words or another category."</p>
                }.into_any();
            }
            view! {
                <p role="status" class="mt-4 text-sm text-slate-600">{format!("{} products · page {} of {}", page.total, page.page, total_pages)}</p>
                <ul class="mt-2 grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
                    {page.items.into_iter().map(|product| view! { <ProductCard product/> }).collect_view()}
                </ul>
                <nav aria-label="Pages" class="mt-4 flex gap-3">
                    {(page.page > 1).then(|| view! { <a class=BUTTON_SECONDARY href=browse_link(&current, page.page - 1)>"Previous"</a> })}
                    {(page.page < total_pages).then(|| view! { <a class=BUTTON_SECONDARY href=browse_link(&current, page.page + 1)>"Next"</a> })}
                </nav>
            }.into_any()
        }/>
    }
}

#[component]
pub fn ProductPage() -> impl IntoView {
    let params = use_params_map();
    let product = Resource::new(
        move || params.read().get("slug").unwrap_or_default(),
        product_page,
    );
    view! {
        <Loaded resource=product view=|p| view! {
            <Title text=p.title.clone()/>
            <article class="grid gap-6 lg:grid-cols-3">
                <div class="lg:col-span-2">
                    <h1 class="text-3xl font-bold">{p.title.clone()}</h1>
                    <p class="mt-2 text-lg text-slate-700">{p.summary.clone()}</p>
                    <Gallery images=p.images.clone()/>
                    <section aria-label="Description" class="mt-6 rounded-lg border border-slate-200 bg-white p-5 [&_a]:text-indigo-700 [&_a]:underline [&_h2]:mt-4 [&_h2]:text-xl [&_h2]:font-semibold [&_h3]:mt-3 [&_h3]:font-semibold [&_li]:mt-1 [&_ol]:list-decimal [&_ol]:pl-6 [&_p]:mt-2 [&_ul]:list-disc [&_ul]:pl-6" inner_html=p.description_html.clone()></section>
                    <ul aria-label="Tags" class="mt-4 flex flex-wrap gap-2">
                        {p.tags.iter().map(|t| view! {
                            <li><a class="rounded bg-slate-200 px-2 py-1 text-sm" href=format!("/products?tag={t}")>{t.clone()}</a></li>
                        }).collect_view()}
                    </ul>
                </div>
                <aside class="flex flex-col gap-3 rounded-lg border border-slate-200 bg-white p-5">
                    <p class="text-2xl font-bold">{p.price.display()}</p>
                    {p.on_sale.then(|| p.compare_at.as_ref().map(|c| view! {
                        <p class="text-slate-500">"Was " <s>{c.display()}</s></p>
                    }))}
                    {(p.status != ProductStatus::Active).then(|| view! {
                        <p role="status" class="rounded bg-amber-50 p-2 text-sm">{format!("Not public: {}.", p.status.as_str())}</p>
                    })}
                    <p class="text-sm">"Sold by " <a class="text-indigo-700 underline" href=format!("/vendors/{}", p.vendor_slug)>{p.vendor_name.clone()}</a></p>
                    <p class="text-sm">"In " <a class="text-indigo-700 underline" href=format!("/products?category={}", p.category_slug)>{p.category_slug.clone()}</a></p>
                </aside>
            </article>
        }/>
    }
}

/// `/admin/products`: products by status (pending first, as a review queue), each with its
/// storefront, price and summary, and — while pending — approve and reject (with a reason).
#[component]
pub fn AdminProductsPage() -> impl IntoView {
    let query = use_query_map();
    let status = Memo::new(move |_| match query.read().get("status").as_deref() {
        None => Some(ProductStatus::Pending),
        Some(value) => ProductStatus::parse(value),
    });
    let page = Memo::new(move |_| query.read().get("page").and_then(|p| p.parse::<u32>().ok()));
    let approve = ServerAction::<ApproveProduct>::new();
    let reject = ServerAction::<RejectProduct>::new();
    let approve_error = last_error(approve);
    let reject_error = last_error(reject);
    let products = Resource::new(
        move || {
            (
                status.get(),
                page.get(),
                approve.version().get(),
                reject.version().get(),
            )
        },
        |(status, page, _, _)| review_products(status, page),
    );
    view! {
        <Title text="Products"/>
        <h1 class="text-2xl font-bold">"Products"</h1>
        <nav aria-label="Status" class="mt-3 flex flex-wrap gap-2">
            {ProductStatus::ALL.into_iter().map(|s| view! {
                <a class=BUTTON_SECONDARY href=format!("/admin/products?status={}", s.as_str())
                    aria-current=move || (status.get() == Some(s)).then_some("page")>{s.as_str()}</a>
            }).collect_view()}
            <a class=BUTTON_SECONDARY href="/admin/products?status=">"all"</a>
        </nav>
        <FormError error=approve_error/>
        <FormError error=reject_error/>
        <p class="text-sm text-red-700" role="alert">
            {move || approve_error.get().or_else(|| reject_error.get()).and_then(|e| e.details().first().map(|d| d.message.clone()))}
        </p>
        <Loaded resource=products view=move |page| view! {
            <p class="mt-4 text-sm text-slate-600">{format!("{} products · page {} of {}", page.total, page.page, page.total_pages().max(1))}</p>
            <ul class="mt-2 flex flex-col gap-3">
                {page.items.into_iter().map(|p| {
                    let pending = p.status == ProductStatus::Pending;
                    let (approve_id, reject_id) = (p.id.to_string(), p.id.to_string());
                    let reason_id = format!("reason-{}", p.id);
                    view! {
                        <li class="rounded-lg border border-slate-200 bg-white p-4">
                            <article aria-label=p.title.clone()>
                                <h2 class="font-semibold"><a class="text-indigo-700 underline" href=format!("/products/{}", p.slug)>{p.title.clone()}</a></h2>
                                <p class="text-sm text-slate-600">{format!("{} · {} · {} · {}", p.vendor_name, p.category_slug, p.price.display(), p.status.as_str())}</p>
                                <p class="mt-1 text-sm">{p.summary.clone()}</p>
                                {p.rejection_reason.clone().map(|r| view! { <p class="mt-1 text-sm text-red-800">{format!("Rejected: {r}")}</p> })}
                                {pending.then(move || view! {
                                    <div class="mt-3 flex flex-wrap items-end gap-3">
                                        <ActionForm action=approve>
                                            <input type="hidden" name="id" value=approve_id/>
                                            <button type="submit" class=BUTTON>"Approve"</button>
                                        </ActionForm>
                                        <ActionForm action=reject attr:class="flex items-end gap-2">
                                            <input type="hidden" name="id" value=reject_id/>
                                            <div class="flex flex-col gap-1">
                                                <label for=reason_id.clone() class="text-sm font-medium">"Reason for rejecting"</label>
                                                <input id=reason_id name="reason" class="rounded border border-slate-300 px-3 py-1.5"/>
                                            </div>
                                            <button type="submit" class=BUTTON_SECONDARY>"Reject"</button>
                                        </ActionForm>
                                    </div>
                                })}
                            </article>
                        </li>
                    }
                }).collect_view()}
            </ul>
        }/>
    }
}
