//! `/admin/ledger` (staff): whether the books balance, every account's balance, and the
//! newest transactions with their entries.

use super::model::LedgerView;
use crate::error::AppError;
use crate::shell::status::Loaded;
use leptos::prelude::*;
use leptos_meta::Title;

/// The ledger's health and contents (staff).
#[server(prefix = "/rpc", endpoint = "admin/ledger")]
pub async fn ledger_page() -> Result<LedgerView, AppError> {
    use super::model::AccountBalance;
    use crate::platform::context;
    use crate::platform::types::Money;
    let actor = context::actor()?;
    let staff = actor.staff()?;
    let db = &context::services()?.db;
    let trial = super::service::trial(db, staff).await?;
    Ok(LedgerView {
        transactions: trial.transactions,
        unbalanced: trial.unbalanced,
        overdrawn: trial
            .overdrawn
            .into_iter()
            .map(|(account, currency, amount)| AccountBalance {
                account: account.as_str().to_owned(),
                balance: Money { amount, currency },
            })
            .collect(),
        balances: super::service::balances(db, staff).await?,
        recent: super::service::recent(db, staff, 50).await?,
    })
}

#[component]
pub fn AdminLedgerPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| ledger_page());
    view! {
        <Title text="Ledger"/>
        <h1 class="text-2xl font-bold">"Ledger"</h1>
        <Loaded resource=data view=|ledger| view! { <Ledger ledger/> }/>
    }
}

#[component]
fn Ledger(ledger: LedgerView) -> impl IntoView {
    let balanced = ledger.unbalanced.is_empty() && ledger.overdrawn.is_empty();
    view! {
        <p role="status" class=if balanced { "mt-4 rounded bg-emerald-50 p-3 text-emerald-900" } else { "mt-4 rounded bg-red-50 p-3 text-red-900" }>
            {if balanced {
                format!("Ledger balanced: {} transactions, each summing to zero, and no wallet below zero.", ledger.transactions)
            } else {
                format!("Ledger NOT balanced: {} unbalanced transactions, {} overdrawn wallets.", ledger.unbalanced.len(), ledger.overdrawn.len())
            }}
        </p>
        <h2 class="mt-6 text-xl font-semibold">"Balances"</h2>
        <table class="mt-2 w-full text-left text-sm">
            <thead><tr><th scope="col">"Account"</th><th scope="col" class="text-right">"Balance"</th></tr></thead>
            <tbody>
                {ledger.balances.into_iter().map(|row| view! {
                    <tr class="border-t border-slate-200"><td class="font-mono">{row.account}</td><td class="text-right">{row.balance.display()}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
        <h2 class="mt-6 text-xl font-semibold">"Newest transactions"</h2>
        <ul class="mt-2 flex flex-col gap-2 text-sm">
            {ledger.recent.into_iter().map(|t| view! {
                <li class="rounded border border-slate-200 bg-white p-2">
                    <p><span class="font-semibold">{t.kind}</span> " · " {t.created_at.display_utc()} " · " <span class="font-mono">{t.key}</span></p>
                    <p class="text-slate-600">{t.memo}</p>
                    <ul class="mt-1">
                        {t.entries.into_iter().map(|e| view! {
                            <li class="flex justify-between font-mono"><span>{e.account}</span><span>{e.balance.display()}</span></li>
                        }).collect_view()}
                    </ul>
                </li>
            }).collect_view()}
        </ul>
    }
}
