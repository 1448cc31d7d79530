//! Staff's orders: `/admin/orders` (search by buyer or id, filter by status, storefront and
//! dates) and `/admin/orders/{id}` (the order, and refunds — the whole order or one line —
//! with the reason the buyer reads; refunds a provider refused are asked for again there).

use super::model::{Order, OrderStatus, OrderSummary, RefundStatus};
use super::pages::{OrderTable, Receipt};
use crate::components::forms::{BUTTON_SECONDARY, FormError, last_error};
use crate::error::AppError;
use crate::platform::types::Page;
use crate::shell::status::Loaded;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// Every order, newest first (staff), by the list's filters.
#[server(prefix = "/rpc", endpoint = "admin/orders")]
pub async fn admin_orders(
    status: Option<String>,
    vendor: Option<String>,
    search: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<u32>,
) -> Result<Page<OrderSummary>, AppError> {
    use super::service::OrderFilter;
    use crate::platform::context;
    use crate::platform::types::Timestamp;
    let actor = context::actor()?;
    let day = |value: Option<String>, field: &str, days: i64| match value.filter(|v| !v.is_empty())
    {
        None => Ok(None),
        Some(v) => Timestamp::parse_day(&v)
            .map(|t| Some(t.plus_millis(days * 86_400_000)))
            .ok_or_else(|| AppError::invalid(field, "Use a date as YYYY-MM-DD.")),
    };
    let filter = OrderFilter {
        status: status.as_deref().and_then(OrderStatus::parse),
        vendor: vendor.filter(|v| !v.is_empty()),
        search,
        from: day(from, "from", 0)?,
        until: day(to, "to", 1)?,
    };
    let window = crate::platform::paging::Window::new(page, None)?;
    super::service::list_all(&context::services()?.db, actor.staff()?, &filter, window).await
}

/// Any order (staff).
#[server(prefix = "/rpc", endpoint = "admin/orders/one")]
pub async fn admin_order(id: String) -> Result<Order, AppError> {
    use crate::platform::context;
    use crate::platform::types::Id;
    let actor = context::actor()?;
    let id = Id::parse_or_not_found(&id, "The order")?;
    super::service::for_staff(&context::services()?.db, actor.staff()?, &id).await
}

/// Refunds one line (`position`) or, without one, everything not refunded yet (staff).
#[server(prefix = "/rpc", endpoint = "admin/orders/refund")]
pub async fn refund_order(
    id: String,
    position: Option<i64>,
    reason: String,
) -> Result<(), AppError> {
    use super::settlement::RefundRequest;
    use crate::platform::context;
    use crate::platform::types::Id;
    let actor = context::actor()?;
    let id = Id::parse_or_not_found(&id, "The order")?;
    let request = RefundRequest {
        positions: position.into_iter().collect(),
        reason,
    };
    super::settlement::refund(&context::services()?, actor.staff()?, &id, &request).await?;
    leptos_axum::redirect(&format!("/admin/orders/{id}"));
    Ok(())
}

/// Asks the providers again for the order's refused refunds (staff).
#[server(prefix = "/rpc", endpoint = "admin/orders/ask-again")]
pub async fn ask_refunds_again(id: String) -> Result<(), AppError> {
    use crate::platform::context;
    use crate::platform::types::Id;
    let actor = context::actor()?;
    let id = Id::parse_or_not_found(&id, "The order")?;
    super::refunds::ask_again(&context::services()?, actor.staff()?, &id).await?;
    leptos_axum::redirect(&format!("/admin/orders/{id}"));
    Ok(())
}

#[component]
pub fn AdminOrdersPage() -> impl IntoView {
    let query = use_query_map();
    let orders = Resource::new(
        move || {
            let q = query.read();
            (
                q.get("status"),
                q.get("vendor"),
                q.get("search"),
                q.get("from"),
                q.get("to"),
                q.get("page").and_then(|p| p.parse().ok()),
            )
        },
        |(status, vendor, search, from, to, page)| {
            admin_orders(status, vendor, search, from, to, page)
        },
    );
    let input = "rounded border border-slate-300 px-2 py-1";
    view! {
        <Title text="Orders"/>
        <h1 class="text-2xl font-bold">"Orders"</h1>
        <form method="get" class="mt-4 flex flex-wrap items-end gap-2">
            <label class="flex flex-col text-sm">"Buyer email or order id" <input name="search" maxlength="100" class=input/></label>
            <label class="flex flex-col text-sm">"Status"
                <select name="status" class=input>
                    <option value="">"Any"</option>
                    {OrderStatus::ALL.into_iter().map(|s| view! { <option value=s.as_str()>{s.label()}</option> }).collect_view()}
                </select>
            </label>
            <label class="flex flex-col text-sm">"Storefront (slug)" <input name="vendor" maxlength="60" class=input/></label>
            <label class="flex flex-col text-sm">"From" <input type="date" name="from" class=input/></label>
            <label class="flex flex-col text-sm">"To" <input type="date" name="to" class=input/></label>
            <button type="submit" class=BUTTON_SECONDARY>"Filter"</button>
        </form>
        <Loaded resource=orders view=|page| view! { <OrderTable page base="/admin/orders" staff=true/> }/>
    }
}

#[component]
pub fn AdminOrderPage() -> impl IntoView {
    let params = use_params_map();
    let order = Resource::new(
        move || params.read().get("id").unwrap_or_default(),
        admin_order,
    );
    view! { <Loaded resource=order view=|order| view! { <AdminOrder order/> }/> }
}

#[component]
fn AdminOrder(order: Order) -> impl IntoView {
    let refund = ServerAction::<RefundOrder>::new();
    let error = last_error(refund);
    let ask_again = ServerAction::<AskRefundsAgain>::new();
    let ask_again_error = last_error(ask_again);
    let refused = order
        .refunds
        .iter()
        .filter(|refund| refund.status == RefundStatus::Failed)
        .count();
    let refundable = order.status.unrefundable_because().is_none();
    let id = order.id.to_string();
    let open_lines: Vec<(i64, String)> = order
        .lines
        .iter()
        .filter(|line| !line.refunded)
        .map(|line| (line.position, line.title.clone()))
        .collect();
    let heading = format!("Order {}", &id[..8.min(id.len())]);
    let whole_id = id.clone();
    let refused_id = id.clone();
    view! {
        <Title text="Order"/>
        <h1 class="text-2xl font-bold">{heading}</h1>
        <Receipt order=order.clone()/>
        {(refused > 0).then(|| view! {
            <section aria-label="Refused refunds" class="mt-6 flex flex-col gap-3">
                <h2 class="text-xl font-semibold">"Refused refunds"</h2>
                <p>{format!(
                    "The payment provider refused {refused} of this order's refunds. Fix the cause \
                     (in the provider's dashboard, say), then ask again — or refund by hand there."
                )}</p>
                <FormError error=ask_again_error/>
                <ActionForm action=ask_again>
                    <input type="hidden" name="id" value=refused_id/>
                    <button type="submit" class=BUTTON_SECONDARY>"Ask the provider again"</button>
                </ActionForm>
            </section>
        })}
        {refundable.then(|| view! {
            <section aria-label="Refund" class="mt-6 flex flex-col gap-3">
                <h2 class="text-xl font-semibold">"Refund"</h2>
                <FormError error/>
                {open_lines.into_iter().map(|(position, title)| {
                    let id = id.clone();
                    view! {
                        <ActionForm action=refund attr:class="flex items-end gap-2">
                            <input type="hidden" name="id" value=id/>
                            <input type="hidden" name="position" value=position.to_string()/>
                            <label class="flex flex-col text-sm">{format!("Reason for refunding {title}")}
                                <input name="reason" required=true minlength="3" maxlength="500" class="rounded border border-slate-300 px-2 py-1"/>
                            </label>
                            <button type="submit" class=BUTTON_SECONDARY>{format!("Refund line {position}")}</button>
                        </ActionForm>
                    }
                }).collect_view()}
                <ActionForm action=refund attr:class="flex items-end gap-2">
                    <input type="hidden" name="id" value=whole_id/>
                    <label class="flex flex-col text-sm">"Reason for refunding the whole order"
                        <input name="reason" required=true minlength="3" maxlength="500" class="rounded border border-slate-300 px-2 py-1"/>
                    </label>
                    <button type="submit" class=BUTTON_SECONDARY>"Refund the whole order"</button>
                </ActionForm>
            </section>
        })}
    }
}
