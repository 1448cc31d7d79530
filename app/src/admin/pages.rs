//! The admin dashboard: the site's settings, and for admins the form for the money settings
//! (tax, commission, the earnings hold period, the payout minimum).

use crate::components::forms::{BUTTON, Field, FormError, last_error};
use crate::platform::identity::Role;
use crate::settings::model::MoneySettings;
use crate::settings::server::{UpdateMoneySettings, load_money_settings, load_site_settings};
use crate::shell::guard::viewer;
use crate::shell::status::Loaded;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminDashboard() -> impl IntoView {
    let settings = Resource::new(|| (), |_| load_site_settings());
    // Managers see the dashboard too; only admins change the money settings.
    let is_admin = viewer().is_some_and(|principal| principal.role == Role::Admin);
    view! {
        <Title text="Admin dashboard"/>
        <h1 class="text-2xl font-bold">"Dashboard"</h1>
        <section aria-labelledby="site-settings" class="mt-6 max-w-xl rounded-lg border border-slate-200 bg-white p-5">
            <h2 id="site-settings" class="text-lg font-semibold">"Site settings"</h2>
            <Loaded resource=settings view=|s| view! {
                        <dl class="mt-3 grid grid-cols-2 gap-2 text-sm">
                            <dt class="text-slate-500">"Site name"</dt><dd>{s.site_name}</dd>
                            <dt class="text-slate-500">"Currency"</dt><dd>{s.currency}</dd>
                            <dt class="text-slate-500">"Tax rate"</dt><dd>{percent(s.tax_rate_bps)}</dd>
                            <dt class="text-slate-500">"Commission"</dt><dd>{percent(s.commission_rate_bps)}</dd>
                        </dl>
            }/>
        </section>
        {is_admin.then(|| view! { <MoneyForm/> })}
    }
}

#[component]
fn MoneyForm() -> impl IntoView {
    let money = Resource::new(|| (), |_| load_money_settings());
    view! {
        <section aria-labelledby="money-settings" class="mt-6 max-w-xl rounded-lg border border-slate-200 bg-white p-5">
            <h2 id="money-settings" class="text-lg font-semibold">"Money"</h2>
            <Loaded resource=money view=|m| view! { <MoneyFields m/> }/>
        </section>
    }
}

#[component]
fn MoneyFields(m: MoneySettings) -> impl IntoView {
    let update = ServerAction::<UpdateMoneySettings>::new();
    let error = last_error(update);
    let minimum = format!("{}.{:02}", m.payout_minimum / 100, m.payout_minimum % 100);
    view! {
        <ActionForm action=update attr:class="mt-3 flex flex-col gap-3">
            <Field label="Tax rate (%)" name="tax_rate" field="tax_rate_bps" value=percent_value(m.tax_rate_bps) required=true error/>
            <Field label="Commission (%)" name="commission_rate" field="commission_rate_bps" value=percent_value(m.commission_rate_bps) required=true error/>
            <Field label="Earnings hold (days)" name="earnings_hold_days" field="earnings_hold_days" value=m.earnings_hold_days.to_string() required=true
                hint="A sale's earnings become available to pay out after this many days." error/>
            <Field label="Payout minimum" name="payout_minimum" field="payout_minimum" value=minimum required=true hint="In currency units." error/>
            <FormError error/>
            <button type="submit" class=BUTTON>"Save money settings"</button>
        </ActionForm>
    }
}

fn percent_value(bps: u32) -> String {
    format!("{}.{:02}", bps / 100, bps % 100)
}

fn percent(bps: u32) -> String {
    format!("{}.{:02} %", bps / 100, bps % 100)
}
