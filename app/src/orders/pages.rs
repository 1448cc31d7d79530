//! The buyer's pages: `/checkout` (billing, the way to pay, the sandbox card, "place
//! order"), `/orders` (history, by status), `/orders/{id}` (the receipt and its refunds,
//! paying again after a decline, cancelling, downloads) and `/orders/{id}/pay/{provider}`
//! (Stripe's or Razorpay's own form, run by their script and `/pay.js`). Every form is an
//! `ActionForm`: each works without the wasm; paying on a provider's form needs scripts.

use super::model::{
    COUNTRIES, CheckoutView, Download, Order, OrderStatus, OrderSummary, OrderView, Paying,
};
use super::server::{
    CancelOrder, PayOrder, PlaceOrder, checkout_page, my_orders, order_page, provider_payment,
};
use crate::components::forms::{BUTTON, BUTTON_SECONDARY, Field, FormError, last_error};
use crate::error::AppError;
use crate::payments::model::{MethodInfo, PaymentMethod};
use crate::platform::types::Page;
use crate::shell::status::Loaded;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
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

/// The sandbox card's three fields (required unless another way to pay may be chosen).
#[component]
fn CardFields(
    error: Signal<Option<AppError>>,
    #[prop(default = true)] required: bool,
) -> impl IntoView {
    view! {
        <fieldset class="flex flex-col gap-3 rounded border border-slate-200 p-3">
            <legend class="px-1 text-sm font-medium">"Test card (sandbox)"</legend>
            <Field label="Card number" name="card_number" field="card.number" autocomplete="cc-number" required
                hint="4242 4242 4242 4242 pays; 4000 0000 0000 0002 is declined; 4000 0000 0000 9995 has insufficient funds." error/>
            <div class="grid grid-cols-2 gap-3">
                <Field label="Expiry (MM/YY)" name="card_expiry" field="card.expiry" autocomplete="cc-exp" required error/>
                <Field label="CVC" name="card_cvc" field="card.cvc" autocomplete="cc-csc" required error/>
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
                <Methods methods=data.methods.clone() error/>
                <CardFields error required=data.methods.len() == 1/>
                <FormError error/>
                <button type="submit" class=BUTTON>"Place order"</button>
            </ActionForm>
        </div>
    }
    .into_any()
}

/// The ways to pay: the only one named, or a choice (the sandbox first, chosen).
#[component]
fn Methods(methods: Vec<MethodInfo>, error: Signal<Option<AppError>>) -> impl IntoView {
    if methods.len() < 2 {
        return view! { <p class="text-sm">{methods.first().map(|m| m.label.clone())}</p> }
            .into_any();
    }
    let message = move || {
        error
            .get()
            .and_then(|e| e.field_message("method").map(str::to_owned))
    };
    view! {
        <fieldset class="flex flex-col gap-2 rounded border border-slate-200 p-3" aria-describedby="field-method-error">
            <legend class="px-1 text-sm font-medium">"How to pay"</legend>
            {methods.into_iter().enumerate().map(|(i, method)| {
                let id = format!("method-{}", method.id.as_str());
                let hint = format!("{id}-hint");
                view! {
                    <div class="flex items-start gap-2">
                        <input type="radio" id=id.clone() name="method" value=method.id.as_str() checked=i == 0
                            aria-describedby=hint.clone() class="mt-1"/>
                        <div>
                            <label for=id>{method.label}</label>
                            <p id=hint class="text-xs text-slate-600">{method.hint}</p>
                        </div>
                    </div>
                }
            }).collect_view()}
            <p id="field-method-error" class="text-sm text-red-700" role="alert">{message}</p>
        </fieldset>
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
    // Back from a provider's form (`?paying`): its webhook settles the order in a moment.
    let waiting = use_query_map().with_untracked(|q| q.get("paying").is_some());
    view! { <Loaded resource=data view=move |data| view! { <OrderDetail data waiting/> }/> }
}

/// `/orders/{id}/pay/{method}`: Stripe's payment form or Razorpay's checkout for a pending
/// order. The provider's script and ours (`/pay.js`) run it; the provider's webhook settles
/// the order, and the buyer comes back to the order's page to watch that happen.
#[component]
pub fn ProviderPayPage() -> impl IntoView {
    let params = use_params_map();
    let paying = Resource::new(
        move || {
            let p = params.read();
            (
                p.get("id").unwrap_or_default(),
                p.get("method").unwrap_or_default(),
            )
        },
        |(id, method)| provider_payment(id, method),
    );
    view! {
        <Title text="Pay"/>
        <h1 class="text-2xl font-bold">"Pay for your order"</h1>
        <Loaded resource=paying view=|paying| view! { <ProviderPay paying/> }/>
    }
}

#[component]
fn ProviderPay(paying: Paying) -> impl IntoView {
    let Some(next) = paying.next else {
        return view! { <p role="status" class="mt-4">"This order needs no payment step here."</p> }.into_any();
    };
    let order = paying.order;
    let back = format!("/orders/{}", order.id);
    let return_to = format!("{back}?paying=1");
    let script = next.provider.browser_script().unwrap_or_default();
    view! {
        <section id="provider-pay" aria-label="Payment" class="mt-4 flex max-w-md flex-col gap-3"
            data-provider=next.provider.as_str() data-key=next.public_key data-reference=next.reference
            data-secret=next.client_secret.unwrap_or_default() data-amount=order.total.amount.to_string()
            data-currency=order.total.currency.clone() data-return=return_to>
            <p>{format!("{} to pay with {}.", order.total.display(), next.provider.label())}</p>
            <div id="provider-element"></div>
            <button type="button" id="provider-submit" disabled=true class=BUTTON>{format!("Pay {}", order.total.display())}</button>
            <p id="provider-error" role="alert" class="text-sm text-red-700"></p>
            <a class="text-indigo-700 underline" href=back>"Back to the order"</a>
        </section>
        <script src=script></script>
        <script src="/pay.js"></script>
    }
    .into_any()
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
fn OrderDetail(data: OrderView, waiting: bool) -> impl IntoView {
    let order = data.order.clone();
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
        {(pending && waiting).then(|| view! {
            <Meta http_equiv="refresh" content="2"/>
            <p role="status" class="mt-2 rounded bg-sky-50 p-3 text-sky-900">
                "We are waiting for the payment provider to confirm your payment. This page refreshes by itself."
            </p>
        })}
        <Receipt order=order.clone()/>
        {pending.then(|| view! {
            <section aria-label="Pay" class="mt-4 max-w-md">
                <h2 class="text-xl font-semibold">"Pay for this order"</h2>
                <ul class="mt-2 flex flex-col gap-1">
                    {data.methods.iter().filter(|m| m.id != PaymentMethod::Sandbox).map(|method| view! {
                        <li><a class="text-indigo-700 underline" href=format!("/orders/{id}/pay/{}", method.id.as_str())>{format!("Pay with {}", method.label)}</a></li>
                    }).collect_view()}
                </ul>
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
