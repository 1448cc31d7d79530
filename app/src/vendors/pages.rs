//! `/sell` (apply, and where the application stands), `/vendors/{slug}` (the public
//! storefront) and `/admin/vendors` (the staff review queue). Every form is an `ActionForm`,
//! so each also works before the wasm has loaded.

use super::model::{PayoutMethod, Vendor, VendorQuery, VendorStatus};
use super::server::{
    Apply, ApproveVendor, RejectVendor, SetVendorCommission, load_storefront, my_storefront,
    review_queue,
};
use crate::components::forms::{BUTTON, BUTTON_SECONDARY, Field, FormError, last_error};
use crate::shell::status::Loaded;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn SellPage() -> impl IntoView {
    let apply = ServerAction::<Apply>::new();
    let mine = Resource::new(move || apply.version().get(), |_| my_storefront());
    view! {
        <Title text="Sell on Agora"/>
        <div class="mx-auto w-full max-w-2xl">
            <h1 class="text-2xl font-bold">"Sell on Agora"</h1>
            <Loaded resource=mine view=move |vendor| match vendor {
                Some(vendor) if vendor.status == VendorStatus::Pending => view! {
                    <p role="status" class="mt-4 rounded border border-amber-300 bg-amber-50 p-4">
                        {format!("Your application for {} is being reviewed. We will email {} when it is decided.", vendor.store_name, vendor.contact_email)}
                    </p>
                }.into_any(),
                Some(vendor) if vendor.status == VendorStatus::Approved => view! {
                    <p role="status" class="mt-4 rounded border border-emerald-300 bg-emerald-50 p-4">
                        {format!("{} is approved and open. ", vendor.store_name)}
                        <a class="text-indigo-700 underline" href=format!("/vendors/{}", vendor.slug)>"Open your storefront"</a>
                    </p>
                }.into_any(),
                Some(vendor) => view! {
                    <div role="status" class="mt-4 rounded border border-red-300 bg-red-50 p-4">
                        <p>{format!("Your application for {} was not approved.", vendor.store_name)}</p>
                        <p class="mt-1">{format!("Reason: {}", vendor.rejection_reason.clone().unwrap_or_default())}</p>
                        <p class="mt-1">"Change what is needed and apply again."</p>
                    </div>
                    <ApplicationForm action=apply vendor=Some(vendor)/>
                }.into_any(),
                None => view! {
                    <p class="mt-2 text-slate-600">"Open a storefront for your templates, agents, e-books and licences. Staff review each application; you will hear from us by email."</p>
                    <ApplicationForm action=apply vendor=None/>
                }.into_any(),
            }/>
        </div>
    }
}

#[component]
fn ApplicationForm(action: ServerAction<Apply>, vendor: Option<Vendor>) -> impl IntoView {
    let error = last_error(action);
    let message = move |field: &'static str| {
        move || {
            error
                .get()
                .and_then(|e| e.field_message(field).map(str::to_owned))
        }
    };
    let method = vendor.as_ref().map(|v| v.payout_method);
    let description = vendor
        .as_ref()
        .map(|v| v.description.clone())
        .unwrap_or_default();
    view! {
        <ActionForm action attr:class="mt-6 flex flex-col gap-4 rounded-lg border border-slate-200 bg-white p-6">
            <FormError error/>
            <Field label="Store name" name="store_name" field="storeName" required=true
                value=vendor.as_ref().map(|v| v.store_name.clone()).unwrap_or_default() error/>
            <Field label="Storefront address" name="slug" field="slug"
                value=vendor.as_ref().map(|v| v.slug.clone()).unwrap_or_default()
                hint="Lower-case letters, digits and dashes; leave empty to make one from the name." error/>
            <div class="flex flex-col gap-1">
                <label for="field-description" class="text-sm font-medium">"Description"</label>
                <textarea id="field-description" name="description" rows="4"
                    class="rounded border border-slate-300 px-3 py-2">{description}</textarea>
                <p class="text-sm text-red-700" role="alert">{message("description")}</p>
            </div>
            <Field label="Website" name="website" field="website" kind="url"
                value=vendor.as_ref().and_then(|v| v.website.clone()).unwrap_or_default() error/>
            <Field label="Contact email" name="contact_email" field="contactEmail" kind="email" required=true
                value=vendor.as_ref().map(|v| v.contact_email.clone()).unwrap_or_default() error/>
            <div class="flex flex-col gap-1">
                <label for="field-payout-method" class="text-sm font-medium">"Payout method"</label>
                <select id="field-payout-method" name="payout_method" class="rounded border border-slate-300 px-2 py-2">
                    {PayoutMethod::ALL.into_iter().map(|m| view! {
                        <option value=m.as_str() selected=method == Some(m)>{m.label()}</option>
                    }).collect_view()}
                </select>
                <p class="text-sm text-red-700" role="alert">{message("payoutMethod")}</p>
            </div>
            <Field label="Payout details" name="payout_details" field="payoutDetails" required=true
                value=vendor.as_ref().map(|v| v.payout_details.clone()).unwrap_or_default()
                hint="Your PayPal address, or IBAN and BIC. Only you and our admins see them." error/>
            <button type="submit" class=BUTTON>"Apply"</button>
        </ActionForm>
    }
}

#[component]
pub fn StorefrontPage() -> impl IntoView {
    let params = use_params_map();
    let store = Resource::new(
        move || params.read().get("slug").unwrap_or_default(),
        load_storefront,
    );
    view! {
        <Loaded resource=store view=|store| view! {
            <Title text=store.store_name.clone()/>
            <section class="rounded-lg border border-slate-200 bg-white p-6">
                <h1 class="text-3xl font-bold">{store.store_name.clone()}</h1>
                <p class="mt-1 text-sm text-slate-600">{format!("On Agora since {}", store.since.display_date())}</p>
                {store.website.clone().map(|url| view! {
                    <p class="mt-2"><a class="text-indigo-700 underline" href=url.clone() rel="nofollow noopener" target="_blank">{url.clone()}</a></p>
                })}
                <p class="mt-4 whitespace-pre-line">{store.description.clone()}</p>
            </section>
        }/>
    }
}

fn queue_from_url() -> Memo<VendorQuery> {
    let query = use_query_map();
    Memo::new(move |_| {
        let q = query.read();
        VendorQuery {
            status: match q.get("status").as_deref() {
                None => Some(VendorStatus::Pending),
                Some(value) => VendorStatus::parse(value),
            },
            search: q.get("search").filter(|s| !s.is_empty()),
            page: q.get("page").and_then(|p| p.parse().ok()),
            limit: None,
        }
    })
}

#[component]
pub fn AdminVendorsPage() -> impl IntoView {
    let query = queue_from_url();
    let approve = ServerAction::<ApproveVendor>::new();
    let reject = ServerAction::<RejectVendor>::new();
    let commission = ServerAction::<SetVendorCommission>::new();
    let approve_error = last_error(approve);
    let reject_error = last_error(reject);
    let commission_error = last_error(commission);
    let vendors = Resource::new(
        move || {
            (
                query.get(),
                approve.version().get(),
                reject.version().get(),
                commission.version().get(),
            )
        },
        |(query, _, _, _)| review_queue(query),
    );
    let status_link = |status: &str| format!("/admin/vendors?status={status}");
    view! {
        <Title text="Vendors"/>
        <h1 class="text-2xl font-bold">"Vendors"</h1>
        <nav aria-label="Status" class="mt-3 flex gap-2">
            {VendorStatus::ALL.into_iter().map(|s| view! {
                <a class=BUTTON_SECONDARY href=status_link(s.as_str())
                    aria-current=move || (query.get().status == Some(s)).then_some("page")>{s.as_str()}</a>
            }).collect_view()}
            <a class=BUTTON_SECONDARY href=status_link("")>"all"</a>
        </nav>
        <FormError error=approve_error/>
        <FormError error=reject_error/>
        <Loaded resource=vendors view=move |page| view! {
            <p class="mt-4 text-sm text-slate-600">{format!("{} storefronts · page {} of {}", page.total, page.page, page.total_pages().max(1))}</p>
            <ul class="mt-2 flex flex-col gap-3">
                {page.items.into_iter().map(|v| {
                    let pending = v.status == VendorStatus::Pending;
                    let approved = v.status == VendorStatus::Approved;
                    let (approve_id, reject_id, commission_id) = (v.id.to_string(), v.id.to_string(), v.id.to_string());
                    let rate_id = format!("commission-{}", v.id);
                    let rate = v.commission_bps.map(|bps| format!("{}.{:02}", bps / 100, bps % 100)).unwrap_or_default();
                    let reason_id = format!("reason-{}", v.id);
                    view! {
                        <li class="rounded-lg border border-slate-200 bg-white p-4">
                            <article aria-label=v.store_name.clone()>
                                <h2 class="font-semibold">{v.store_name.clone()}</h2>
                                <p class="text-sm text-slate-600">{format!("/vendors/{} · {} · {} · applied {}", v.slug, v.contact_email, v.status.as_str(), v.created_at.display_utc())}</p>
                                <p class="mt-2 whitespace-pre-line text-sm">{v.description.clone()}</p>
                                {v.rejection_reason.clone().map(|r| view! { <p class="mt-1 text-sm text-red-800">{format!("Rejected: {r}")}</p> })}
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
                                    <p class="text-sm text-red-700" role="alert">{move || reject_error.get().and_then(|e| e.field_message("reason").map(str::to_owned))}</p>
                                })}
                                {approved.then(move || view! {
                                    <ActionForm action=commission attr:class="mt-3 flex flex-wrap items-end gap-2">
                                        <input type="hidden" name="id" value=commission_id/>
                                        <div class="flex flex-col gap-1">
                                            <label for=rate_id.clone() class="text-sm font-medium">"Own commission (%)"</label>
                                            <input id=rate_id name="rate" value=rate placeholder="site rate" class="rounded border border-slate-300 px-3 py-1.5"/>
                                        </div>
                                        <button type="submit" class=BUTTON_SECONDARY>"Save commission"</button>
                                    </ActionForm>
                                    <p class="text-sm text-red-700" role="alert">{move || commission_error.get().and_then(|e| e.field_message("commissionBps").map(str::to_owned))}</p>
                                })}
                            </article>
                        </li>
                    }
                }).collect_view()}
            </ul>
        }/>
    }
}
