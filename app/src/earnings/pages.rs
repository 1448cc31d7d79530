//! `/vendor/earnings` (approved vendors): balances, a chart of the last 30 days' sales, the
//! newest movements, the payout request form and the payouts; and `/admin/payouts` (staff):
//! every payout with the decisions that fit its state.

use super::model::{Earnings, Payout, PayoutStatus};
use super::server::{DecidePayout, RequestPayout, admin_payouts, earnings_page};
use crate::components::chart::BarChart;
use crate::components::forms::{BUTTON, BUTTON_SECONDARY, Field, FormError, last_error};
use crate::platform::types::{Money, Page};
use crate::shell::status::Loaded;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn EarningsPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| earnings_page());
    view! {
        <Title text="Earnings"/>
        <h1 class="text-2xl font-bold">"Earnings"</h1>
        <Loaded resource=data view=|(earnings, payouts)| view! { <EarningsView earnings payouts/> }/>
    }
}

#[component]
fn EarningsView(earnings: Earnings, payouts: Page<Payout>) -> impl IntoView {
    let request = ServerAction::<RequestPayout>::new();
    let error = last_error(request);
    let query = use_query_map();
    let requested = query.read_untracked().get("requested").is_some();
    let points = earnings
        .per_day
        .iter()
        .map(|day| (day.day.clone(), day.amount))
        .collect();
    let owed = (earnings.debt.amount < 0).then(|| Money {
        amount: -earnings.debt.amount,
        currency: earnings.debt.currency.clone(),
    });
    view! {
        {requested.then(|| view! {
            <p role="status" class="mt-2 rounded bg-emerald-50 p-3 text-emerald-900">"Payout requested: staff will review it."</p>
        })}
        <dl aria-label="Balances" class="mt-4 grid grid-cols-2 gap-3 md:grid-cols-5">
            {[("Pending", &earnings.pending), ("Available", &earnings.available), ("Requested", &earnings.requested),
              ("Paid out", &earnings.paid_out), ("Owed back", &earnings.debt)].into_iter().map(|(label, money)| view! {
                <div class="rounded-lg border border-slate-200 bg-white p-3">
                    <dt class="text-sm text-slate-600">{label}</dt>
                    <dd class="text-xl font-semibold">{money.display()}</dd>
                </div>
            }).collect_view()}
        </dl>
        {owed.map(|owed| view! {
            <p role="note" class="mt-2 rounded bg-amber-50 p-3 text-amber-900">
                {format!("You owe {} from refunds of sales already paid out: your next earnings pay it back first.", owed.display())}
            </p>
        })}
        <h2 class="mt-6 text-xl font-semibold">"Sales, last 30 days"</h2>
        <BarChart label="Earnings per day, last 30 days".to_owned() points/>
        <section aria-label="Request a payout" class="mt-6 max-w-md">
            <h2 class="text-xl font-semibold">"Request a payout"</h2>
            <p class="text-sm text-slate-600">{format!("At least {}, at most what is available.", earnings.payout_minimum.display())}</p>
            <ActionForm action=request attr:class="mt-2 flex flex-col gap-3">
                <Field label="Amount" name="amount" field="amount" required=true hint="In currency units, e.g. 25 or 25.50." error/>
                <FormError error/>
                <button type="submit" class=BUTTON>"Request payout"</button>
            </ActionForm>
        </section>
        <h2 class="mt-6 text-xl font-semibold">"Payouts"</h2>
        <PayoutTable payouts=payouts.items staff=false/>
        <h2 class="mt-6 text-xl font-semibold">"Movements"</h2>
        <table aria-label="Movements" class="mt-2 w-full text-left text-sm">
            <thead><tr><th scope="col">"When"</th><th scope="col">"What"</th><th scope="col">"Balance"</th><th scope="col" class="text-right">"Amount"</th></tr></thead>
            <tbody>
                {earnings.history.into_iter().map(|m| view! {
                    <tr class="border-t border-slate-200">
                        <td>{m.at.display_utc()}</td><td>{m.memo}</td><td>{m.balance}</td><td class="text-right">{m.amount.display()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// Payouts as a table; for staff, with the decision forms each one's state allows.
#[component]
fn PayoutTable(payouts: Vec<Payout>, staff: bool) -> impl IntoView {
    if payouts.is_empty() {
        return view! { <p role="status" class="mt-2 text-slate-600">"No payouts yet."</p> }
            .into_any();
    }
    let decide = ServerAction::<DecidePayout>::new();
    let error = last_error(decide);
    view! {
        <FormError error/>
        <table aria-label="Payouts" class="mt-2 w-full text-left text-sm">
            <thead><tr>
                <th scope="col">"Requested"</th>
                {staff.then(|| view! { <th scope="col">"Storefront"</th> })}
                <th scope="col">"Amount"</th><th scope="col">"Status"</th><th scope="col">"Details"</th>
                {staff.then(|| view! { <th scope="col">"Decide"</th> })}
            </tr></thead>
            <tbody>
                {payouts.into_iter().map(|p| {
                    let details = p.reference.clone().map(|r| format!("Reference {r}"))
                        .or_else(|| p.reason.clone().map(|r| format!("Reason: {r}")))
                        .unwrap_or_default();
                    view! {
                        <tr class="border-t border-slate-200 align-top">
                            <td>{p.created_at.display_utc()}</td>
                            {staff.then(|| view! { <td>{p.store_name.clone()}</td> })}
                            <td>{p.amount.display()}</td>
                            <td>{p.status.as_str()}</td>
                            <td>{details}</td>
                            {staff.then(|| view! { <td><Decisions payout=p.clone() decide/></td> })}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn Decisions(payout: Payout, decide: ServerAction<DecidePayout>) -> impl IntoView {
    let id = payout.id.to_string();
    let amount = payout.amount.display();
    let (approve_id, reject_id, paid_id) = (id.clone(), id.clone(), id);
    let open = matches!(
        payout.status,
        PayoutStatus::Requested | PayoutStatus::Approved
    );
    view! {
        <div class="flex flex-col gap-2">
            {(payout.status == PayoutStatus::Requested).then(|| view! {
                <ActionForm action=decide>
                    <input type="hidden" name="id" value=approve_id/>
                    <input type="hidden" name="decision" value="approve"/>
                    <button type="submit" class=BUTTON_SECONDARY aria-label=format!("Approve the payout of {amount}")>"Approve"</button>
                </ActionForm>
            })}
            {(payout.status == PayoutStatus::Approved).then(|| view! {
                <ActionForm action=decide attr:class="flex items-end gap-1">
                    <input type="hidden" name="id" value=paid_id/>
                    <input type="hidden" name="decision" value="paid"/>
                    <label class="flex flex-col text-xs">"Transfer reference"
                        <input name="reference" required=true maxlength="100" class="rounded border border-slate-300 px-2 py-1"/>
                    </label>
                    <button type="submit" class=BUTTON_SECONDARY>"Mark paid"</button>
                </ActionForm>
            })}
            {open.then(|| view! {
                <ActionForm action=decide attr:class="flex items-end gap-1">
                    <input type="hidden" name="id" value=reject_id/>
                    <input type="hidden" name="decision" value="reject"/>
                    <label class="flex flex-col text-xs">"Reason for rejecting"
                        <input name="reason" required=true maxlength="500" class="rounded border border-slate-300 px-2 py-1"/>
                    </label>
                    <button type="submit" class=BUTTON_SECONDARY>"Reject"</button>
                </ActionForm>
            })}
        </div>
    }
}

#[component]
pub fn AdminPayoutsPage() -> impl IntoView {
    let query = use_query_map();
    let payouts = Resource::new(
        move || {
            let query = query.read();
            (
                query.get("status"),
                query.get("page").and_then(|p| p.parse().ok()),
            )
        },
        |(status, page)| admin_payouts(status, page),
    );
    view! {
        <Title text="Payouts"/>
        <h1 class="text-2xl font-bold">"Payouts"</h1>
        <form method="get" class="mt-4 flex items-end gap-2">
            <div class="flex flex-col gap-1">
                <label for="payouts-status" class="text-sm font-medium">"Status"</label>
                <select id="payouts-status" name="status" class="rounded border border-slate-300 px-2 py-1">
                    <option value="">"Any"</option>
                    {PayoutStatus::ALL.into_iter().map(|s| view! { <option value=s.as_str()>{s.as_str()}</option> }).collect_view()}
                </select>
            </div>
            <button type="submit" class=BUTTON_SECONDARY>"Filter"</button>
        </form>
        <Loaded resource=payouts view=|page| view! { <PayoutTable payouts=page.items staff=true/> }/>
    }
}
