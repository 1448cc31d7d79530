//! `/products/{slug}`: the gallery, price (compare-at struck through), the Markdown
//! description, the vendor card, the wishlist button, the rating histogram and a page of
//! reviews (`?reviews=2`) with the forms the viewer may use — write, edit or delete their own
//! review; reply as the seller — and related products. Open Graph and description tags make
//! shared links show the product. Every form is an `ActionForm`, so each works without the
//! wasm.

use super::model::{Product, ProductImage, ProductStatus, ProductView, RatingHistogram, Review};
use super::pages::ProductCard;
use super::server::{
    DeleteReview, EditReview, ReplyToReview, ToggleWishlist, WriteReview, product_page,
};
use crate::cart::server::AddToCart;
use crate::components::forms::{BUTTON, BUTTON_SECONDARY, FormError, last_error};
use crate::shell::status::Loaded;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn ProductPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let view = Resource::new(
        move || {
            (
                params.read().get("slug").unwrap_or_default(),
                query.read().get("reviews").and_then(|p| p.parse().ok()),
            )
        },
        |(slug, page)| product_page(slug, page),
    );
    view! { <Loaded resource=view view=|v| view! { <ProductDetail v/> }/> }
}

#[component]
fn ProductDetail(v: ProductView) -> impl IntoView {
    let p = v.product.clone();
    let url = format!("{}/products/{}", v.site_url, p.slug);
    let image = p.images.first().map(|i| format!("{}{}", v.site_url, i.url));
    let description = if p.summary.is_empty() {
        p.title.clone()
    } else {
        p.summary.clone()
    };
    view! {
        <Title text=p.title.clone()/>
        <Meta name="description" content=description.clone()/>
        <Meta property="og:type" content="product"/>
        <Meta property="og:title" content=p.title.clone()/>
        <Meta property="og:description" content=description/>
        <Meta property="og:url" content=url/>
        {image.map(|content| view! { <Meta property="og:image" content/> })}
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
            <Buy p=p.clone() wishlisted=v.wishlisted signed_in=v.signed_in/>
        </article>
        {(p.status == ProductStatus::Active).then(|| view! {
            <Reviews v=v.clone()/>
            <Related products=v.related.clone()/>
        })}
    }
}

/// The price, the "add to cart" and wishlist buttons, and the vendor card.
#[component]
fn Buy(p: Product, wishlisted: bool, signed_in: bool) -> impl IntoView {
    let toggle = ServerAction::<ToggleWishlist>::new();
    let error = last_error(toggle);
    let add = ServerAction::<AddToCart>::new();
    let add_error = last_error(add);
    let active = p.status == ProductStatus::Active;
    let product_id = p.id.to_string();
    view! {
        <aside class="flex flex-col gap-3 self-start rounded-lg border border-slate-200 bg-white p-5">
            <p class="text-2xl font-bold">{p.price.display()}</p>
            {p.on_sale.then(|| p.compare_at.as_ref().map(|c| view! {
                <p class="text-slate-500">"Was " <s>{c.display()}</s></p>
            }))}
            {(p.rating_count > 0).then(|| view! {
                <p class="text-sm">{format!("★ {:.1} from {} reviews", p.rating_average, p.rating_count)}</p>
            })}
            {(!active).then(|| view! {
                <p role="status" class="rounded bg-amber-50 p-2 text-sm">{format!("Not public: {}.", p.status.as_str())}</p>
            })}
            {active.then(|| view! {
                <ActionForm action=add>
                    <input type="hidden" name="product_id" value=product_id/>
                    <button type="submit" class=BUTTON>"Add to cart"</button>
                </ActionForm>
                <FormError error=add_error/>
            })}
            {(active && signed_in).then(|| view! {
                <ActionForm action=toggle>
                    <input type="hidden" name="product_id" value=p.id.to_string()/>
                    <input type="hidden" name="save" value=(!wishlisted).to_string()/>
                    <button type="submit" class=BUTTON_SECONDARY>
                        {if wishlisted { "Remove from wishlist" } else { "Add to wishlist" }}
                    </button>
                </ActionForm>
                <FormError error/>
            })}
            {(active && !signed_in).then(|| view! {
                <a class=BUTTON_SECONDARY href=format!("/login?next=/products/{}", p.slug)>"Sign in to save to your wishlist"</a>
            })}
            <section aria-label="Vendor" class="border-t border-slate-200 pt-3 text-sm">
                <p>"Sold by " <a class="font-semibold text-indigo-700 underline" href=format!("/vendors/{}", p.vendor_slug)>{p.vendor_name.clone()}</a></p>
                <p class="mt-1">"In " <a class="text-indigo-700 underline" href=format!("/products?category={}", p.category_slug)>{p.category_slug.clone()}</a></p>
            </section>
        </aside>
    }
}

/// The cover at full width, then every image as a link to its full size.
#[component]
fn Gallery(images: Vec<ProductImage>) -> impl IntoView {
    let cover = images.first().cloned();
    let more = images.len() > 1;
    view! {
        {cover.map(|c| view! {
            // The page's largest picture: fetched first, and as the smaller thumbnail where
            // that is wide enough.
            <img src=c.url.clone() srcset=c.srcset()
                sizes="(min-width: 1024px) 42rem, 100vw" fetchpriority="high"
                alt=c.alt width=c.width height=c.height class="mt-4 max-h-[28rem] w-full rounded-lg bg-white object-contain"/>
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

/// Bars of how many reviews gave 5, 4, 3, 2 and 1 stars.
#[component]
fn Histogram(histogram: RatingHistogram) -> impl IntoView {
    let total = histogram.total().max(1);
    view! {
        <table class="text-sm" aria-label="Ratings">
            <tbody>
                {(1..=5usize).rev().map(|stars| {
                    let count = histogram.counts[stars - 1];
                    // An SVG bar: its width is an attribute (the CSP allows no inline styles).
                    let width = (count * 100 / total).to_string();
                    view! {
                        <tr>
                            <th scope="row" class="pr-2 text-left font-normal">{format!("{stars} ★")}</th>
                            <td class="w-48">
                                <svg viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true" class="h-2 w-full rounded bg-slate-200">
                                    <rect width=width height="8" class="fill-amber-500"/>
                                </svg>
                            </td>
                            <td class="pl-2">{count}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// The reviews section: histogram, the viewer's form, the list and its pages.
#[component]
fn Reviews(v: ProductView) -> impl IntoView {
    let write = ServerAction::<WriteReview>::new();
    let write_error = last_error(write);
    let slug = v.product.slug.clone();
    let page = v.reviews.page;
    let pages = v.reviews.total_pages().max(1);
    let is_seller = v.is_seller;
    let product_id = v.product.id.to_string();
    view! {
        <section aria-labelledby="reviews" class="mt-8 rounded-lg border border-slate-200 bg-white p-5">
            <h2 id="reviews" class="text-xl font-semibold">"Reviews"</h2>
            <div class="mt-3 flex flex-wrap items-center gap-6">
                <p class="text-3xl font-bold">{if v.product.rating_count > 0 { format!("{:.1}", v.product.rating_average) } else { "–".to_owned() }}</p>
                <p class="text-sm text-slate-600">{format!("{} reviews", v.product.rating_count)}</p>
                <Histogram histogram=v.histogram.clone()/>
            </div>
            {v.may_review.then(|| view! {
                <ActionForm action=write attr:class="mt-4 flex flex-col gap-2 border-t border-slate-200 pt-4">
                    <h3 class="font-semibold">"Review this product"</h3>
                    <input type="hidden" name="product_id" value=product_id/>
                    <Stars name="rating" id="review-rating" selected=5/>
                    <label for="review-body" class="text-sm font-medium">"Your review"</label>
                    <textarea id="review-body" name="body" rows="4" minlength="10" maxlength="2000" required class="rounded border border-slate-300 px-3 py-2"></textarea>
                    <p class="text-sm text-red-700" role="alert">{move || write_error.get().and_then(|e| e.details().first().map(|d| d.message.clone()))}</p>
                    <FormError error=write_error/>
                    <button type="submit" class=BUTTON>"Publish review"</button>
                </ActionForm>
            })}
            {v.own_review.clone().map(|review| view! { <OwnReview review/> })}
            {v.reviews.items.is_empty().then(|| view! { <p class="mt-4 text-slate-600">"No reviews yet."</p> })}
            <ul class="mt-4 flex flex-col gap-4">
                {v.reviews.items.iter().cloned().map(|review| view! { <ReviewItem review is_seller/> }).collect_view()}
            </ul>
            <nav aria-label="Review pages" class="mt-4 flex gap-3">
                {(page > 1).then(|| view! { <a class=BUTTON_SECONDARY href=format!("/products/{slug}?reviews={}#reviews", page - 1)>"Newer reviews"</a> })}
                {(page < pages).then(|| view! { <a class=BUTTON_SECONDARY href=format!("/products/{slug}?reviews={}#reviews", page + 1)>"Older reviews"</a> })}
            </nav>
        </section>
    }
}

/// A 1–5 stars choice.
#[component]
fn Stars(name: &'static str, id: &'static str, selected: u8) -> impl IntoView {
    view! {
        <label for=id class="text-sm font-medium">"Stars"</label>
        <select id=id name=name class="w-32 rounded border border-slate-300 px-2 py-1.5">
            {(1..=5u8).rev().map(|n| view! { <option value=n.to_string() selected=n == selected>{format!("{n} ★")}</option> }).collect_view()}
        </select>
    }
}

/// The viewer's own review, with forms to change or delete it.
#[component]
fn OwnReview(review: Review) -> impl IntoView {
    let edit = ServerAction::<EditReview>::new();
    let delete = ServerAction::<DeleteReview>::new();
    let edit_error = last_error(edit);
    let (edit_id, delete_id) = (review.id.to_string(), review.id.to_string());
    view! {
        <details class="mt-4 border-t border-slate-200 pt-4">
            <summary class="cursor-pointer font-semibold">"Edit your review"</summary>
            {review.hidden.then(|| view! { <p class="text-sm text-amber-800">"Staff hid this review; it is not shown to others."</p> })}
            <ActionForm action=edit attr:class="mt-2 flex flex-col gap-2">
                <input type="hidden" name="id" value=edit_id/>
                <Stars name="rating" id="edit-rating" selected=review.rating/>
                <label for="edit-body" class="text-sm font-medium">"Your review"</label>
                <textarea id="edit-body" name="body" rows="4" class="rounded border border-slate-300 px-3 py-2">{review.body.clone()}</textarea>
                <p class="text-sm text-red-700" role="alert">{move || edit_error.get().and_then(|e| e.details().first().map(|d| d.message.clone()))}</p>
                <button type="submit" class=BUTTON_SECONDARY>"Save review"</button>
            </ActionForm>
            <ActionForm action=delete attr:class="mt-2">
                <input type="hidden" name="id" value=delete_id/>
                <button type="submit" class=BUTTON_SECONDARY>"Delete review"</button>
            </ActionForm>
        </details>
    }
}

/// One review, its reply, and — for the seller, until they replied — the reply form.
#[component]
fn ReviewItem(review: Review, is_seller: bool) -> impl IntoView {
    let reply = ServerAction::<ReplyToReview>::new();
    let reply_error = last_error(reply);
    let reply_id = format!("reply-{}", review.id);
    let may_reply = is_seller && review.reply.is_none();
    let id = review.id.to_string();
    view! {
        <li class="border-t border-slate-200 pt-3">
            <article aria-label=format!("Review by {}", review.author)>
                <p class="text-sm"><span aria-label=format!("{} out of 5 stars", review.rating)>{"★".repeat(usize::from(review.rating))}</span>
                    " · " {review.author.clone()} " · " {review.created_at.display_date()}</p>
                <p class="mt-1 whitespace-pre-line">{review.body.clone()}</p>
                {review.reply.clone().map(|text| view! {
                    <div class="mt-2 rounded bg-slate-50 p-3 text-sm">
                        <p class="font-semibold">"The seller replied"</p>
                        <p class="whitespace-pre-line">{text}</p>
                    </div>
                })}
                {may_reply.then(|| view! {
                    <ActionForm action=reply attr:class="mt-2 flex flex-col gap-1">
                        <input type="hidden" name="id" value=id/>
                        <label for=reply_id.clone() class="text-sm font-medium">"Your reply"</label>
                        <textarea id=reply_id name="reply" rows="2" class="rounded border border-slate-300 px-3 py-2"></textarea>
                        <p class="text-sm text-red-700" role="alert">{move || reply_error.get().and_then(|e| e.details().first().map(|d| d.message.clone()))}</p>
                        <button type="submit" class=BUTTON_SECONDARY>"Reply"</button>
                    </ActionForm>
                })}
            </article>
        </li>
    }
}

/// Other products of the same category.
#[component]
fn Related(products: Vec<Product>) -> impl IntoView {
    (!products.is_empty()).then(|| {
        view! {
            <section aria-labelledby="related" class="mt-8">
                <h2 id="related" class="text-xl font-semibold">"Related products"</h2>
                <ul class="mt-3 grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
                    {products.into_iter().map(|product| view! { <ProductCard product saved=None/> }).collect_view()}
                </ul>
            </section>
        }
    })
}
