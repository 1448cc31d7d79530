//! The admin dashboard.

use crate::settings::server::load_site_settings;
use crate::shell::status::Loaded;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminDashboard() -> impl IntoView {
    let settings = Resource::new(|| (), |_| load_site_settings());
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
    }
}

fn percent(bps: u32) -> String {
    format!("{}.{:02} %", bps / 100, bps % 100)
}
