//! `/admin/users` (search, filter, sort, page — all in the URL), one account's page, and the
//! development outbox.

use super::server::{GrantProduct, UpdateUser, list_users, outbox, user_details};
use crate::auth::model::{AccountStatus, UserQuery};
use crate::components::forms::{BUTTON, BUTTON_SECONDARY, FormError, last_error};
use crate::platform::identity::Role;
use crate::shell::status::Loaded;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

fn query_from_url() -> Memo<UserQuery> {
    let query = use_query_map();
    Memo::new(move |_| {
        let q = query.read();
        UserQuery {
            search: q.get("search").filter(|s| !s.is_empty()),
            role: q.get("role").and_then(|r| Role::parse(&r)),
            status: q.get("status").and_then(|s| AccountStatus::parse(&s)),
            sort: q.get("sort").filter(|s| !s.is_empty()),
            order: q.get("order").filter(|s| !s.is_empty()),
            page: q.get("page").and_then(|p| p.parse().ok()),
            limit: None,
        }
    })
}

fn page_link(query: &UserQuery, page: u32) -> String {
    let mut parts = vec![format!("page={page}")];
    for (key, value) in [
        ("search", query.search.clone()),
        ("role", query.role.map(|r| r.as_str().to_owned())),
        ("status", query.status.map(|s| s.as_str().to_owned())),
        ("sort", query.sort.clone()),
        ("order", query.order.clone()),
    ] {
        if let Some(value) = value {
            let encoded: String = value
                .bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() {
                        char::from(b).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect();
            parts.push(format!("{key}={encoded}"));
        }
    }
    format!("/admin/users?{}", parts.join("&"))
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let query = query_from_url();
    let users = Resource::new(move || query.get(), list_users);
    let selected = move |value: &str, current: Option<&str>| current == Some(value);
    view! {
        <Title text="Users"/>
        <h1 class="text-2xl font-bold">"Users"</h1>
        <form method="get" action="/admin/users" class="mt-4 flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-4">
            <div class="flex flex-col gap-1">
                <label for="search" class="text-sm font-medium">"Name or email"</label>
                <input id="search" name="search" type="search" value=move || query.get().search.unwrap_or_default()
                    class="rounded border border-slate-300 px-3 py-1.5"/>
            </div>
            <div class="flex flex-col gap-1">
                <label for="role" class="text-sm font-medium">"Role"</label>
                <select id="role" name="role" class="rounded border border-slate-300 px-2 py-1.5">
                    <option value="">"Any"</option>
                    {Role::ALL.into_iter().map(|r| view! {
                        <option value=r.as_str() selected=move || selected(r.as_str(), query.get().role.map(Role::as_str))>{r.as_str()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="flex flex-col gap-1">
                <label for="status" class="text-sm font-medium">"Status"</label>
                <select id="status" name="status" class="rounded border border-slate-300 px-2 py-1.5">
                    <option value="">"Any"</option>
                    {AccountStatus::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=move || selected(s.as_str(), query.get().status.map(AccountStatus::as_str))>{s.as_str()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="flex flex-col gap-1">
                <label for="sort" class="text-sm font-medium">"Sort by"</label>
                <select id="sort" name="sort" class="rounded border border-slate-300 px-2 py-1.5">
                    {[("created", "Newest"), ("email", "Email"), ("name", "Name"), ("last_login", "Last sign-in")].into_iter().map(|(v, l)| view! {
                        <option value=v selected=move || selected(v, query.get().sort.as_deref())>{l}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="flex flex-col gap-1">
                <label for="order" class="text-sm font-medium">"Order"</label>
                <select id="order" name="order" class="rounded border border-slate-300 px-2 py-1.5">
                    <option value="desc" selected=move || selected("desc", query.get().order.as_deref())>"Descending"</option>
                    <option value="asc" selected=move || selected("asc", query.get().order.as_deref())>"Ascending"</option>
                </select>
            </div>
            <button type="submit" class=BUTTON>"Apply"</button>
        </form>
        <Loaded resource=users view=move |page| {
                    let current = query.get_untracked();
                    let total_pages = page.total_pages().max(1);
                    view! {
                        <p class="mt-4 text-sm text-slate-600">{format!("{} accounts · page {} of {}", page.total, page.page, total_pages)}</p>
                        <div class="mt-2 overflow-x-auto rounded-lg border border-slate-200 bg-white">
                            <table class="w-full text-left text-sm">
                                <thead class="bg-slate-100">
                                    <tr><th class="p-2">"Name"</th><th class="p-2">"Email"</th><th class="p-2">"Role"</th><th class="p-2">"Status"</th><th class="p-2">"Joined"</th></tr>
                                </thead>
                                <tbody>
                                    {page.items.into_iter().map(|u| view! {
                                        <tr class="border-t border-slate-200">
                                            <td class="p-2"><a class="text-indigo-700 underline" href=format!("/admin/users/{}", u.id)>{u.full_name()}</a></td>
                                            <td class="p-2">{u.email.to_string()}</td>
                                            <td class="p-2">{u.role.as_str()}</td>
                                            <td class="p-2">{u.status.as_str()}</td>
                                            <td class="p-2">{u.created_at.display_utc()}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <nav aria-label="Pages" class="mt-3 flex gap-3">
                            {(page.page > 1).then(|| view! { <a class=BUTTON_SECONDARY href=page_link(&current, page.page - 1)>"Previous"</a> })}
                            {(page.page < total_pages).then(|| view! { <a class=BUTTON_SECONDARY href=page_link(&current, page.page + 1)>"Next"</a> })}
                        </nav>
                    }
        }/>
    }
}

#[component]
pub fn UserDetailPage() -> impl IntoView {
    let params = use_params_map();
    let update = ServerAction::<UpdateUser>::new();
    let error = last_error(update);
    let grant = ServerAction::<GrantProduct>::new();
    let query = use_query_map();
    let grant_error = last_error(grant);
    let details = Resource::new(
        move || {
            (
                params.read().get("id").unwrap_or_default(),
                update.version().get(),
            )
        },
        |(id, _)| user_details(id),
    );
    view! {
        <Title text="User"/>
        <Loaded resource=details view=move |(user, sessions, audit)| {
            let grant_to = user.id.to_string();
            view! {
                    <h1 class="text-2xl font-bold">{user.full_name()}</h1>
                    <p class="text-slate-600">{format!("{} · {} · {}", user.email, user.role.as_str(), user.status.as_str())}</p>
                    <div class="mt-6 grid gap-6 lg:grid-cols-2">
                        <section aria-labelledby="access" class="rounded-lg border border-slate-200 bg-white p-5">
                            <h2 id="access" class="mb-3 text-lg font-semibold">"Role and status"</h2>
                            <ActionForm action=update attr:class="flex flex-col gap-3">
                                <FormError error/>
                                <input type="hidden" name="id" value=user.id.to_string()/>
                                <label for="user-role" class="text-sm font-medium">"Role"</label>
                                <select id="user-role" name="role" class="rounded border border-slate-300 px-2 py-1.5">
                                    {Role::ALL.into_iter().map(|r| view! { <option value=r.as_str() selected=r == user.role>{r.as_str()}</option> }).collect_view()}
                                </select>
                                <p class="text-sm text-red-700" role="alert">{move || error.get().and_then(|e| e.field_message("role").map(str::to_owned))}</p>
                                <label for="user-status" class="text-sm font-medium">"Status"</label>
                                <select id="user-status" name="status" class="rounded border border-slate-300 px-2 py-1.5">
                                    {[AccountStatus::Active, AccountStatus::Suspended].into_iter().map(|s| view! { <option value=s.as_str() selected=s == user.status>{s.as_str()}</option> }).collect_view()}
                                </select>
                                <p class="text-sm text-red-700" role="alert">{move || error.get().and_then(|e| e.field_message("status").map(str::to_owned))}</p>
                                <button type="submit" class=BUTTON>"Save"</button>
                            </ActionForm>
                        </section>
                        <section aria-labelledby="grant" class="rounded-lg border border-slate-200 bg-white p-5">
                            <h2 id="grant" class="mb-3 text-lg font-semibold">"Give a product"</h2>
                            <ActionForm action=grant attr:class="flex flex-col gap-3">
                                <input type="hidden" name="id" value=grant_to/>
                                <label for="grant-product" class="text-sm font-medium">"Product address or id"</label>
                                <input id="grant-product" name="product" required class="rounded border border-slate-300 px-3 py-1.5"/>
                                <p class="text-sm text-red-700" role="alert">{move || grant_error.get().map(|e| e.details().first().map_or_else(|| e.to_string(), |d| d.message.clone()))}</p>
                                <p role="status" class="text-sm text-green-800">{move || query.read().get("granted").map(|slug| format!("Given {slug}: they own it now and may review it."))}</p>
                                <button type="submit" class=BUTTON_SECONDARY>"Give"</button>
                            </ActionForm>
                        </section>
                        <section aria-labelledby="user-sessions" class="rounded-lg border border-slate-200 bg-white p-5">
                            <h2 id="user-sessions" class="mb-3 text-lg font-semibold">"Sessions"</h2>
                            <ul class="flex flex-col gap-2 text-sm">
                                {sessions.into_iter().map(|s| view! {
                                    <li>{format!("{} · {} · last seen {}", s.user_agent.unwrap_or_default(), s.ip.unwrap_or_default(), s.last_seen_at.display_utc())}</li>
                                }).collect_view()}
                            </ul>
                        </section>
                        <section aria-labelledby="user-audit" class="rounded-lg border border-slate-200 bg-white p-5 lg:col-span-2">
                            <h2 id="user-audit" class="mb-3 text-lg font-semibold">"Security events and audit trail"</h2>
                            <ul class="flex flex-col gap-2 text-sm">
                                {audit.into_iter().map(|e| view! {
                                    <li>{format!("{} · {} by {} from {} · {}", e.at.display_utc(), e.action, e.actor, e.ip.as_deref().unwrap_or("-"), e.details)}</li>
                                }).collect_view()}
                            </ul>
                        </section>
                    </div>
            }
        }/>
    }
}

#[component]
pub fn OutboxPage() -> impl IntoView {
    let emails = Resource::new(|| (), |_| outbox());
    view! {
        <Title text="Outbox"/>
        <h1 class="text-2xl font-bold">"Email outbox"</h1>
        <p class="mt-1 text-sm text-slate-600">"Emails land here while no SMTP relay is configured (AGORA_SMTP_URL)."</p>
        <Loaded resource=emails view=|list| view! {
                    <ul class="mt-4 flex flex-col gap-3">
                        {list.into_iter().map(|m| view! {
                            <li class="rounded-lg border border-slate-200 bg-white p-4">
                                <article>
                                    <h2 class="font-semibold">{m.email.subject.clone()}</h2>
                                    <p class="text-sm text-slate-600">{format!("To {} · {}", m.email.to, m.created_at.display_utc())}</p>
                                    <pre class="mt-2 whitespace-pre-wrap break-words text-sm">{m.email.text.clone()}</pre>
                                </article>
                            </li>
                        }).collect_view()}
                    </ul>
        }/>
    }
}
