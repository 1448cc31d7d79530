//! The buyer's pages: `/checkout` (billing, the sandbox card, "place order"), `/orders`
//! (history, by status) and `/orders/{id}` (the receipt, paying again after a decline,
//! cancelling, downloads). Every form is an `ActionForm`: each works without the wasm.

use super::model::{
    COUNTRIES, CheckoutView, Download, Order, OrderStatus, OrderSummary, OrderView,
};
use super::server::{CancelOrder, PayOrder, PlaceOrder, checkout_page, my_orders, order_page};
use crate::components::forms::{BUTTON, BUTTON_SECONDARY, Field, FormError, last_error};
use crate::error::AppError;
use crate::platform::types::Page;
use crate::shell::status::Loaded;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn CheckoutPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| checkout_page());
    view! {
        <Title text="Checkout"/>
        <h1 class="text-2xl font-bold">"Checkout"</h1>
        <Loaded resource=data view=|data| view! { <Checkout data/> }/>
    }
}

/// The sandbox card's three fields.
#[component]
fn CardFields(error: Signal<Option<AppError>>) -> impl IntoView {
    view! {
        <fieldset class="flex flex-col gap-3 rounded border border-slate-200 p-3">
            <legend class="px-1 text-sm font-medium">"Test card (sandbox)"</legend>
            <Field label="Card number" name="card_number" field="card.number" autocomplete="cc-number" required=true
                hint="4242 4242 4242 4242 pays; 4000 0000 0000 0002 is declined; 4000 0000 0000 9995 has insufficient funds." error/>
            <div class="grid grid-cols-2 gap-3">
                <Field label="Expiry (MM/YY)" name="card_expiry" field="card.expiry" autocomplete="cc-exp" required=true error/>
                <Field label="CVC" name="card_cvc" field="card.cvc" autocomplete="cc-csc" required=true error/>
            </div>
        </fieldset>
    }
}

#[component]
fn Checkout(data: CheckoutView) -> impl IntoView {
    let place = ServerAction::<PlaceOrder>::new();
    let error = last_error(place);
    let lines: Vec<_> = data
        .cart
        .lines
        .iter()
        .filter(|l| l.available)
        .cloned()
        .collect();
    if lines.is_empty() {
        return view! {
            <p role="status" class="mt-4">"Your cart has nothing to buy. " <a class="text-indigo-700 underline" href="/products">"Browse products"</a></p>
        }
        .into_any();
    }
    let country_message = move || {
        error
            .get()
            .and_then(|e| e.field_message("billingCountry").map(str::to_owned))
    };
    view! {
        <div class="mt-4 grid gap-6 md:grid-cols-2">
            <section aria-label="Your order" class="rounded-lg border border-slate-200 bg-white p-4">
                <ul class="flex flex-col gap-2">
                    {lines.into_iter().map(|line| view! {
                        <li class="flex justify-between gap-2"><span>{line.title}</span><span>{line.price.display()}</span></li>
                    }).collect_view()}
                </ul>
                <dl class="mt-4 grid grid-cols-2 gap-1 border-t border-slate-200 pt-2 text-right">
                    <dt class="text-left">"Subtotal"</dt><dd>{data.cart.subtotal.display()}</dd>
                    <dt class="text-left">"Tax"</dt><dd>{data.cart.tax.display()}</dd>
                    <dt class="text-left font-semibold">"Total"</dt><dd class="font-semibold">{data.cart.total.display()}</dd>
                </dl>
            </section>
            <ActionForm action=place attr:class="flex flex-col gap-3">
                <input type="hidden" name="key" value=data.key/>
                <Field label="Name on the receipt" name="billing_name" field="billingName" autocomplete="name" value=data.name required=true error/>
                <div class="flex flex-col gap-1">
                    <label for="field-billing_country" class="text-sm font-medium">"Country"</label>
                    <select id="field-billing_country" name="billing_country" required=true aria-describedby="field-billing_country-error"
                        class="rounded border border-slate-300 px-3 py-2">
                        <option value="">"Choose…"</option>
                        {COUNTRIES.split_ascii_whitespace().map(|code| view! { <option value=code>{code}</option> }).collect_view()}
                    </select>
                    <p id="field-billing_country-error" class="text-sm text-red-700" role="alert">{country_message}</p>
                </div>
                <p class="text-sm">{data.methods.first().map(|m| m.label.clone())}</p>
                <CardFields error/>
                <FormError error/>
                <button type="submit" class=BUTTON>"Place order"</button>
            </ActionForm>
        </div>
    }
    .into_any()
}

#[component]
pub fn OrdersPage() -> impl IntoView {
    let query = use_query_map();
    let orders = Resource::new(
        move || {
            let query = query.read();
            (
                query.get("status"),
                query.get("page").and_then(|p| p.parse().ok()),
            )
        },
        |(status, page)| my_orders(status, page),
    );
    view! {
        <Title text="Your orders"/>
        <h1 class="text-2xl font-bold">"Your orders"</h1>
        <form method="get" class="mt-4 flex items-end gap-2">
            <div class="flex flex-col gap-1">
                <label for="orders-status" class="text-sm font-medium">"Status"</label>
                <select id="orders-status" name="status" class="rounded border border-slate-300 px-2 py-1">
                    <option value="">"Any"</option>
                    {OrderStatus::ALL.into_iter().map(|s| view! { <option value=s.as_str()>{s.label()}</option> }).collect_view()}
                </select>
            </div>
            <button type="submit" class=BUTTON_SECONDARY>"Filter"</button>
        </form>
        <Loaded resource=orders view=|page| view! { <OrderTable page base="/orders" staff=false/> }/>
    }
}

/// A page of orders as a table, with links to each (`base` + `/{id}`) and to the next pages.
#[component]
pub fn OrderTable(page: Page<OrderSummary>, base: &'static str, staff: bool) -> impl IntoView {
    if page.items.is_empty() {
        return view! { <p role="status" class="mt-4 text-slate-600">"No orders."</p> }.into_any();
    }
    let pages = page.total_pages().max(1);
    view! {
        <table class="mt-4 w-full text-left text-sm">
            <thead><tr>
                <th scope="col">"Order"</th><th scope="col">"Placed"</th>
                {staff.then(|| view! { <th scope="col">"Buyer"</th> })}
                <th scope="col">"Products"</th><th scope="col">"Status"</th><th scope="col" class="text-right">"Total"</th>
            </tr></thead>
            <tbody>
                {page.items.into_iter().map(|o| view! {
                    <tr class="border-t border-slate-200">
                        <td><a class="text-indigo-700 underline" href=format!("{base}/{}", o.id)>{o.id.to_string()[..8].to_owned()}</a></td>
                        <td>{o.created_at.display_utc()}</td>
                        {staff.then(|| view! { <td>{o.buyer_email.clone()}</td> })}
                        <td>{if o.line_count > 1 { format!("{} and {} more", o.first_title, o.line_count - 1) } else { o.first_title.clone() }}</td>
                        <td>{o.status.label()}</td>
                        <td class="text-right">{o.total.display()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <nav aria-label="Pages" class="mt-4 flex gap-3">
            {(page.page > 1).then(|| view! { <a class=BUTTON_SECONDARY href=format!("{base}?page={}", page.page - 1)>"Previous"</a> })}
            {(page.page < pages).then(|| view! { <a class=BUTTON_SECONDARY href=format!("{base}?page={}", page.page + 1)>"Next"</a> })}
        </nav>
    }
    .into_any()
}

#[component]
pub fn OrderPage() -> impl IntoView {
    let params = use_params_map();
    let data = Resource::new(
        move || params.read().get("id").unwrap_or_default(),
        order_page,
    );
    view! { <Loaded resource=data view=|data| view! { <OrderDetail data/> }/> }
}

/// An order's lines and totals (the buyer's page and staff's).
#[component]
pub fn Receipt(order: Order) -> impl IntoView {
    view! {
        <section aria-label="Receipt" class="mt-4 rounded-lg border border-slate-200 bg-white p-4">
            <p>{format!("Status: {}", order.status.label())}</p>
            <p class="text-sm text-slate-600">{format!("Placed {} · billed to {} ({})", order.created_at.display_utc(), order.billing_name, order.billing_country)}</p>
            <ul class="mt-3 flex flex-col gap-1">
                {order.lines.into_iter().map(|line| view! {
                    <li class="flex justify-between gap-2">
                        <span>
                            {format!("{}. ", line.position)}
                            <a class="text-indigo-700 underline" href=format!("/products/{}", line.product_slug)>{line.title}</a>
                            {format!(" — {}", line.vendor_name)}
                            {line.refunded.then(|| view! { " " <span class="rounded bg-amber-100 px-1 text-xs">"refunded"</span> })}
                        </span>
                        <span>{line.price.display()}</span>
                    </li>
                }).collect_view()}
            </ul>
            <dl class="mt-3 grid grid-cols-2 gap-1 border-t border-slate-200 pt-2 text-right">
                <dt class="text-left">"Subtotal"</dt><dd>{order.subtotal.display()}</dd>
                <dt class="text-left">"Tax"</dt><dd>{order.tax.display()}</dd>
                <dt class="text-left font-semibold">"Total"</dt><dd class="font-semibold">{order.total.display()}</dd>
                {(order.refunded.amount > 0).then(|| view! {
                    <dt class="text-left">"Refunded"</dt><dd>{order.refunded.display()}</dd>
                })}
            </dl>
            {(!order.refunds.is_empty()).then(|| view! {
                <ul aria-label="Refunds" class="mt-2 flex flex-col gap-1 text-sm text-slate-700">
                    {order.refunds.into_iter().map(|refund| {
                        let lines = refund.positions.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
                        view! {
                            <li>{format!("{} for {} {lines} through {}: {}", refund.amount.display(), if refund.positions.len() == 1 { "line" } else { "lines" }, refund.provider.label(), refund.status.label())}</li>
                        }
                    }).collect_view()}
                </ul>
            })}
        </section>
    }
}

#[component]
fn OrderDetail(data: OrderView) -> impl IntoView {
    let order = data.order;
    let pay = ServerAction::<PayOrder>::new();
    let pay_error = last_error(pay);
    let cancel = ServerAction::<CancelOrder>::new();
    let cancel_error = last_error(cancel);
    let pending = order.status == OrderStatus::Pending;
    let id = order.id.to_string();
    let heading = format!("Order {}", &id[..8.min(id.len())]);
    let cancel_id = id.clone();
    view! {
        <Title text="Your order"/>
        <h1 class="text-2xl font-bold">{heading}</h1>
        {(order.status == OrderStatus::Paid || order.status == OrderStatus::Completed).then(|| view! {
            <p role="status" class="mt-2 rounded bg-emerald-50 p-3 text-emerald-900">"Thank you: your payment went through, and your files are below."</p>
        })}
        {order.payment_error.clone().filter(|_| pending).map(|message| view! {
            <p role="alert" class="mt-2 rounded border border-red-300 bg-red-50 p-3 text-red-800">
                {format!("Your payment did not go through: {message} Your order is kept; pay again below.")}
            </p>
        })}
        <Receipt order=order.clone()/>
        {pending.then(|| view! {
            <section aria-label="Pay" class="mt-4 max-w-md">
                <h2 class="text-xl font-semibold">"Pay for this order"</h2>
                <ActionForm action=pay attr:class="mt-2 flex flex-col gap-3">
                    <input type="hidden" name="id" value=id.clone()/>
                    <CardFields error=pay_error/>
                    <FormError error=pay_error/>
                    <button type="submit" class=BUTTON>{format!("Pay {}", order.total.display())}</button>
                </ActionForm>
                <ActionForm action=cancel attr:class="mt-3">
                    <input type="hidden" name="id" value=cancel_id/>
                    <button type="submit" class=BUTTON_SECONDARY>"Cancel this order"</button>
                </ActionForm>
                <FormError error=cancel_error/>
            </section>
        })}
        {(!data.downloads.is_empty()).then(|| view! { <Downloads files=data.downloads.clone()/> })}
    }
}

#[component]
fn Downloads(files: Vec<Download>) -> impl IntoView {
    view! {
        <section aria-label="Downloads" class="mt-4">
            <h2 class="text-xl font-semibold">"Downloads"</h2>
            <p class="text-sm text-slate-600">"Each link works for 15 minutes; reload this page for fresh ones."</p>
            <ul class="mt-2 flex flex-col gap-2">
                {files.into_iter().map(|file| view! {
                    <li class="flex items-center justify-between gap-2 rounded border border-slate-200 bg-white p-2">
                        <span>{format!("{} — {} ({} KB)", file.product_title, file.name, (file.bytes + 1023) / 1024)}</span>
                        <span class="text-sm text-slate-600">{format!("downloaded {} times", file.downloads)}</span>
                        <a class=BUTTON_SECONDARY href=file.url download=file.name.clone()>{format!("Download {}", file.name)}</a>
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}
