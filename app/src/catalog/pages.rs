//! The storefront's `/products` (search, filters, sort and page, all in the URL) and its
//! product card; `/admin/products`, the review queue; and `/admin/categories`: the category tree, with a form to add a
//! category and, per category, forms to rename, re-address, move or reorder it and to delete
//! it. Every form is a plain GET form or an `ActionForm`, so each works before the wasm has
//! loaded.

use super::model::{BrowseQuery, Category, Product, ProductSort, ProductStatus, QueueFilter};
use super::server::{
    ApproveProduct, CreateCategory, DeleteCategory, FeatureProduct, RejectProduct, ToggleWishlist,
    UpdateCategory, browse_products, category_tree, review_products, saved_products,
};
use crate::components::forms::{BUTTON, BUTTON_SECONDARY, Field, FormError, last_error};
use crate::platform::types::Page;
use crate::shell::status::Loaded;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

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
                        // Classes, not a `style`: the CSP allows no inline styles.
                        let indent = INDENTS[usize::from(c.depth).min(INDENTS.len() - 1)];
                        let name_id = format!("name-{id}");
                        let slug_id = format!("slug-{id}");
                        let parent_id = format!("parent-{id}");
                        let position_id = format!("position-{id}");
                        view! {
                            <li class=format!("rounded-lg border border-slate-200 bg-white p-3 {indent}")>
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
            min_rating: text("rating").and_then(|r| r.parse().ok()),
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
    add("rating", query.min_rating.map(|v| v.to_string()));
    add("sort", query.sort.map(|s| s.as_str().to_owned()));
    add(
        "order",
        query
            .ascending
            .map(|a| if a { "asc" } else { "desc" }.to_owned()),
    );
    format!("/products?{}", parts.join("&"))
}

/// A product in a grid: cover, title, storefront, rating, price (the compare-at price struck
/// through when it is on sale).
#[component]
pub fn ProductCard(
    product: Product,
    /// Whether the viewer saved it; `None` for a guest (no button).
    saved: Option<bool>,
    /// One of the first cards on the page: its cover is fetched at once, ahead of the rest
    /// (it is likely the largest thing in view).
    #[prop(optional)]
    lead: bool,
) -> impl IntoView {
    let id = product.id.to_string();
    view! {
        <li class="flex flex-col rounded-lg border border-slate-200 bg-white p-4">
            <article aria-label=product.title.clone() class="flex flex-1 flex-col gap-1">
                <Cover product=&product lead/>
                <h2 class="font-semibold">
                    <a class="text-indigo-700 hover:underline" href=format!("/products/{}", product.slug)>{product.title.clone()}</a>
                </h2>
                <p class="text-sm text-slate-600">
                    "by " <a class="hover:underline" href=format!("/vendors/{}", product.vendor_slug)>{product.vendor_name.clone()}</a>
                </p>
                <p class="text-sm text-slate-700">{product.summary.clone()}</p>
                {(product.rating_count > 0).then(|| view! {
                    <p class="text-sm" aria-label=format!("Rated {:.1} out of 5 by {} reviewers", product.rating_average, product.rating_count)>
                        {format!("★ {:.1} ({})", product.rating_average, product.rating_count)}
                    </p>
                })}
                <p class="mt-auto pt-2">
                    <span class="font-semibold">{product.price.display()}</span>
                    {product.on_sale.then(|| product.compare_at.as_ref().map(|c| view! {
                        " " <s class="text-sm text-slate-500" aria-label=format!("was {}", c.display())>{c.display()}</s>
                    }))}
                </p>
                {saved.map(|saved| view! { <WishlistButton id saved/> })}
            </article>
        </li>
    }
}

/// Saves a product to the wishlist, or takes it off.
#[component]
pub fn WishlistButton(id: String, saved: bool) -> impl IntoView {
    let toggle = ServerAction::<ToggleWishlist>::new();
    view! {
        <ActionForm action=toggle attr:class="pt-2">
            <input type="hidden" name="product_id" value=id/>
            <input type="hidden" name="save" value=(!saved).to_string()/>
            <button type="submit" class=BUTTON_SECONDARY>
                {if saved { "Remove from wishlist" } else { "Add to wishlist" }}
            </button>
        </ActionForm>
    }
}

/// A card's picture: the cover's thumbnail (decorative: the title follows), or a plain
/// panel of the same size.
/// How many cards at the top of a list fetch their covers first.
pub const LEAD_CARDS: usize = 2;

/// A category's indent in the tree, by depth.
const INDENTS: [&str; 3] = ["", "ml-8", "ml-16"];

#[component]
fn Cover<'a>(product: &'a Product, lead: bool) -> impl IntoView {
    let (loading, priority) = if lead {
        ("eager", "high")
    } else {
        ("lazy", "auto")
    };
    match product.images.first() {
        Some(image) => view! {
            <img src=image.thumbnail_url.clone() alt="" loading=loading fetchpriority=priority width="480" height="320"
                class="mb-2 aspect-[3/2] w-full rounded object-cover"/>
        }
        .into_any(),
        None => view! { <div class="mb-2 aspect-[3/2] w-full rounded bg-slate-100" aria-hidden="true"></div> }.into_any(),
    }
}

#[component]
pub fn ProductsPage() -> impl IntoView {
    let query = browse_from_url();
    let results = Resource::new(move || query.get(), browse_products);
    let saved = Resource::new(|| (), |_| saved_products());
    let tree = Resource::new(|| (), |_| category_tree());
    let selected = move |value: &str, current: Option<String>| current.as_deref() == Some(value);
    view! {
        <Title text="Products"/>
        <Meta name="description" content="Browse and search automation templates, AI agents, e-books and licences from independent vendors: filter by category, price and rating."/>
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
                <label for="browse-rating" class="text-sm font-medium">"Rating"</label>
                <select id="browse-rating" name="rating" class="rounded border border-slate-300 px-2 py-1.5">
                    {[("", "Any"), ("4", "4 ★ and up"), ("3", "3 ★ and up"), ("2", "2 ★ and up")].into_iter().map(|(v, l)| view! {
                        <option value=v selected=move || query.get().min_rating.map(|r| r.to_string()).unwrap_or_default() == v>{l}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="flex flex-col gap-1">
                <label for="browse-sort" class="text-sm font-medium">"Sort by"</label>
                <select id="browse-sort" name="sort" class="rounded border border-slate-300 px-2 py-1.5">
                    {[("", "Best match / newest"), ("newest", "Newest"), ("price", "Price"), ("rating", "Rating"), ("popularity", "Popularity")].into_iter().map(|(v, l)| view! {
                        <option value=v selected=move || query.get().sort.map(|s| s.as_str()).unwrap_or("") == v>{l}</option>
                    }).collect_view()}
                </select>
            </div>
            <button type="submit" class=BUTTON>"Apply"</button>
        </form>
        <Loaded resource=results view=move |page| view! {
            <Loaded resource=saved view=move |saved| view! { <Results page=page.clone() saved/> }/>
        }/>
    }
}

/// One page of the list with its count and pages, or the empty state.
#[component]
fn Results(page: Page<Product>, saved: Option<Vec<String>>) -> impl IntoView {
    let current = browse_from_url().get_untracked();
    let total_pages = page.total_pages().max(1);
    if page.items.is_empty() {
        return view! {
            <p role="status" class="mt-6 text-slate-600">"No products match. Try fewer words or another category."</p>
        }
        .into_any();
    }
    let is_saved = move |id: &str| saved.as_ref().map(|ids| ids.iter().any(|s| s == id));
    view! {
        <p role="status" class="mt-4 text-sm text-slate-600">{format!("{} products · page {} of {}", page.total, page.page, total_pages)}</p>
        <ul class="mt-2 grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
            {page.items.into_iter().enumerate().map(|(n, product)| {
                let saved = is_saved(product.id.as_str());
                view! { <ProductCard product saved lead={n < LEAD_CARDS}/> }
            }).collect_view()}
        </ul>
        <nav aria-label="Pages" class="mt-4 flex gap-3">
            {(page.page > 1).then(|| view! { <a class=BUTTON_SECONDARY href=browse_link(&current, page.page - 1)>"Previous"</a> })}
            {(page.page < total_pages).then(|| view! { <a class=BUTTON_SECONDARY href=browse_link(&current, page.page + 1)>"Next"</a> })}
        </nav>
    }
    .into_any()
}

/// `/admin/products`: products by status (pending first, as a review queue), storefront and
/// category, each with its storefront, price and summary; while pending, approve and reject
/// (with a reason); while active, feature on the home page or stop.
#[component]
pub fn AdminProductsPage() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        let q = query.read();
        let text = |key: &str| q.get(key).filter(|v| !v.is_empty());
        QueueFilter {
            status: match q.get("status").as_deref() {
                None => Some(ProductStatus::Pending),
                Some(value) => ProductStatus::parse(value),
            },
            vendor: text("vendor"),
            category: text("category"),
        }
    });
    let page = Memo::new(move |_| query.read().get("page").and_then(|p| p.parse::<u32>().ok()));
    let approve = ServerAction::<ApproveProduct>::new();
    let reject = ServerAction::<RejectProduct>::new();
    let feature = ServerAction::<FeatureProduct>::new();
    let approve_error = last_error(approve);
    let reject_error = last_error(reject);
    let products = Resource::new(
        move || {
            (
                filter.get(),
                page.get(),
                approve.version().get(),
                reject.version().get(),
                feature.version().get(),
            )
        },
        |(filter, page, _, _, _)| review_products(filter, page),
    );
    let tree = Resource::new(|| (), |_| category_tree());
    let status_link = move |s: &str| {
        let f = filter.get();
        format!(
            "/admin/products?status={s}&vendor={}&category={}",
            f.vendor.unwrap_or_default(),
            f.category.unwrap_or_default()
        )
    };
    view! {
        <Title text="Products"/>
        <h1 class="text-2xl font-bold">"Products"</h1>
        <nav aria-label="Status" class="mt-3 flex flex-wrap gap-2">
            {ProductStatus::ALL.into_iter().map(|s| view! {
                <a class=BUTTON_SECONDARY href=move || status_link(s.as_str())
                    aria-current=move || (filter.get().status == Some(s)).then_some("page")>{s.as_str()}</a>
            }).collect_view()}
            <a class=BUTTON_SECONDARY href=move || status_link("")>"all"</a>
        </nav>
        <form method="get" action="/admin/products" class="mt-3 flex flex-wrap items-end gap-3">
            <input type="hidden" name="status" value=move || filter.get().status.map(|s| s.as_str()).unwrap_or_default()/>
            <div class="flex flex-col gap-1">
                <label for="queue-vendor" class="text-sm font-medium">"Storefront (address)"</label>
                <input id="queue-vendor" name="vendor" value=move || filter.get().vendor.unwrap_or_default() class="rounded border border-slate-300 px-2 py-1.5"/>
            </div>
            <div class="flex flex-col gap-1">
                <label for="queue-category" class="text-sm font-medium">"Category"</label>
                <select id="queue-category" name="category" class="rounded border border-slate-300 px-2 py-1.5">
                    <option value="">"All"</option>
                    <Loaded resource=tree view=move |tree| tree.into_iter().map(|c| {
                        let chosen = filter.get_untracked().category.as_deref() == Some(c.slug.as_str());
                        view! { <option value=c.slug.clone() selected=chosen>{format!("{}{}", "— ".repeat(usize::from(c.depth)), c.name)}</option> }
                    }).collect_view()/>
                </select>
            </div>
            <button type="submit" class=BUTTON_SECONDARY>"Filter"</button>
        </form>
        <FormError error=approve_error/>
        <FormError error=reject_error/>
        <p class="text-sm text-red-700" role="alert">
            {move || approve_error.get().or_else(|| reject_error.get()).and_then(|e| e.details().first().map(|d| d.message.clone()))}
        </p>
        <Loaded resource=products view=move |page| view! {
            <p class="mt-4 text-sm text-slate-600">{format!("{} products · page {} of {}", page.total, page.page, page.total_pages().max(1))}</p>
            <ul class="mt-2 flex flex-col gap-3">
                {page.items.into_iter().map(|p| view! { <QueueItem p approve reject feature/> }).collect_view()}
            </ul>
        }/>
    }
}

#[component]
fn QueueItem(
    p: Product,
    approve: ServerAction<ApproveProduct>,
    reject: ServerAction<RejectProduct>,
    feature: ServerAction<FeatureProduct>,
) -> impl IntoView {
    let pending = p.status == ProductStatus::Pending;
    let active = p.status == ProductStatus::Active;
    let (approve_id, reject_id, feature_id) =
        (p.id.to_string(), p.id.to_string(), p.id.to_string());
    let reason_id = format!("reason-{}", p.id);
    let featured = p.featured;
    view! {
        <li class="rounded-lg border border-slate-200 bg-white p-4">
            <article aria-label=p.title.clone()>
                <h2 class="font-semibold"><a class="text-indigo-700 underline" href=format!("/products/{}", p.slug)>{p.title.clone()}</a></h2>
                <p class="text-sm text-slate-600">{format!("{} · {} · {} · {}{}", p.vendor_name, p.category_slug, p.price.display(), p.status.as_str(), if featured { " · featured" } else { "" })}</p>
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
                {active.then(move || view! {
                    <ActionForm action=feature attr:class="mt-3">
                        <input type="hidden" name="id" value=feature_id/>
                        <input type="hidden" name="featured" value=(!featured).to_string()/>
                        <button type="submit" class=BUTTON_SECONDARY>{if featured { "Stop featuring" } else { "Feature on the home page" }}</button>
                    </ActionForm>
                })}
            </article>
        </li>
    }
}
