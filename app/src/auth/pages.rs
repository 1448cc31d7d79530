//! The account pages: sign in, register, email verification, password recovery and the
//! account page (profile and picture, email, password, notifications, sessions, API keys,
//! deletion). Every form is an `ActionForm` or, for the picture upload, a plain multipart
//! form, so each also works before the wasm has loaded.

use super::model::{ApiKeyInfo, AvatarProblem, KeyScope, NotificationPrefs, SessionInfo, User};
use super::server::{
    ChangeEmail, ChangePassword, CreateApiKey, DeleteAccount, EndOtherSessions, EndSession,
    ForgotPassword, LogIn, LogOut, Register, ResendVerification, ResetPassword, RevokeApiKey,
    UpdateNotifications, UpdateProfile, current_user, my_api_keys, my_sessions, verify_email,
};
use crate::components::forms::{BUTTON, BUTTON_SECONDARY, Field, FormError, last_error};
use crate::error::AppError;
use crate::shell::status::{Loaded, PageStatus};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

fn query(name: &'static str) -> Memo<Option<String>> {
    let query = use_query_map();
    Memo::new(move |_| query.read().get(name))
}

#[component]
fn Card(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <Title text=title/>
        <div class="mx-auto w-full max-w-md rounded-lg border border-slate-200 bg-white p-6">
            <h1 class="mb-4 text-2xl font-bold">{title}</h1>
            {children()}
        </div>
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let action = ServerAction::<LogIn>::new();
    let error = last_error(action);
    let next = query("next");
    let reset = query("reset");
    view! {
        <Card title="Sign in">
            <Show when=move || reset.get().is_some()>
                <p role="status" class="mb-4 rounded bg-green-50 px-3 py-2 text-sm text-green-800">
                    "Your password was changed. Sign in with the new one."
                </p>
            </Show>
            <ActionForm action attr:class="flex flex-col gap-4">
                <FormError error/>
                <Field label="Email" name="email" field="email" kind="email" autocomplete="username" required=true error/>
                <Field label="Password" name="password" field="password" kind="password" autocomplete="current-password" required=true error/>
                <label class="flex items-center gap-2 text-sm">
                    <input type="checkbox" name="remember" value="on"/>
                    "Remember me for 30 days"
                </label>
                <input type="hidden" name="next" value=move || next.get().unwrap_or_default()/>
                <button type="submit" class=BUTTON>"Sign in"</button>
            </ActionForm>
            <p class="mt-4 flex justify-between text-sm">
                <a href="/forgot-password" class="text-indigo-700 underline">"Forgot your password?"</a>
                <a href="/register" class="text-indigo-700 underline">"Create an account"</a>
            </p>
        </Card>
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let action = ServerAction::<Register>::new();
    let error = last_error(action);
    let referral = query("ref");
    view! {
        <Card title="Create your account">
            <ActionForm action attr:class="flex flex-col gap-4">
                <FormError error/>
                <Field label="Email" name="email" field="email" kind="email" autocomplete="email" required=true error/>
                <Field label="Password" name="password" field="password" kind="password" autocomplete="new-password" required=true
                    hint="8 to 128 characters with an upper-case letter (A–Z), a lower-case letter (a–z) and a digit." error/>
                <div class="grid gap-4 sm:grid-cols-2">
                    <Field label="First name" name="first_name" field="firstName" autocomplete="given-name" required=true error/>
                    <Field label="Last name" name="last_name" field="lastName" autocomplete="family-name" required=true error/>
                </div>
                <Field label="Phone (optional)" name="phone" field="phone" kind="tel" autocomplete="tel" error/>
                <Field label="Referral code (optional)" name="referral_code" field="referralCode"
                    value=referral.get_untracked().unwrap_or_default() error/>
                <button type="submit" class=BUTTON>"Create account"</button>
            </ActionForm>
            <p class="mt-4 text-sm">
                "Already have an account? " <a href="/login" class="text-indigo-700 underline">"Sign in"</a>
            </p>
        </Card>
    }
}

#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let params = use_params_map();
    let result = Resource::new(
        move || params.read().get("token").unwrap_or_default(),
        verify_email,
    );
    // Failures are shown here, not through the layout's error boundary: a Suspense that
    // resolves to an error sometimes reached the page before the boundary had taken it
    // (an empty card, status 200).
    let status = PageStatus::current();
    view! {
        <Card title="Email verification">
            <Suspense fallback=|| view! { <p>"Checking your link…"</p> }>
                {move || {
                    let status = status.clone();
                    Suspend::new(async move {
                        match result.await {
                            Ok(()) => view! {
                                <p role="status">"Thank you — your email address is confirmed."</p>
                                <p class="mt-4"><a href="/account" class="text-indigo-700 underline">"Go to your account"</a></p>
                            }.into_any(),
                            Err(AppError::InvalidToken) => view! {
                                <p role="alert" class="text-red-800">{AppError::InvalidToken.to_string()}</p>
                                <p class="mt-4 text-sm">"Links work once and expire after 48 hours. Sign in to send a new one."</p>
                            }.into_any(),
                            Err(error) => {
                                status.set(error.status().as_u16());
                                view! {
                                    <p role="alert" class="text-red-800">"Something went wrong: "{error.to_string()}</p>
                                    <p class="mt-4 text-sm">"Your link was not used. Try it again in a moment."</p>
                                }.into_any()
                            }
                        }
                    })
                }}
            </Suspense>
        </Card>
    }
}

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<ForgotPassword>::new();
    let error = last_error(action);
    let sent = query("sent");
    view! {
        <Card title="Reset your password">
            <Show
                when=move || sent.get().is_none()
                fallback=|| view! {
                    <p role="status">"If an account exists for this address, an email is on its way. The link works for an hour."</p>
                }
            >
                <ActionForm action attr:class="flex flex-col gap-4">
                    <p class="text-sm text-slate-600">"Enter your email and we will send you a link to choose a new password."</p>
                    <FormError error/>
                    <Field label="Email" name="email" field="email" kind="email" autocomplete="email" required=true error/>
                    <button type="submit" class=BUTTON>"Send the link"</button>
                </ActionForm>
            </Show>
        </Card>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let action = ServerAction::<ResetPassword>::new();
    let error = last_error(action);
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    view! {
        <Card title="Choose a new password">
            <ActionForm action attr:class="flex flex-col gap-4">
                <FormError error/>
                <input type="hidden" name="token" value=token/>
                <Field label="New password" name="password" field="password" kind="password" autocomplete="new-password" required=true
                    hint="8 to 128 characters with an upper-case letter (A–Z), a lower-case letter (a–z) and a digit." error/>
                <button type="submit" class=BUTTON>"Set the password"</button>
            </ActionForm>
        </Card>
    }
}

/// "Sign out" as a form, so it works without the wasm and is a POST (never a link).
#[component]
pub fn LogoutButton() -> impl IntoView {
    let action = ServerAction::<LogOut>::new();
    view! {
        <ActionForm action>
            <button type="submit" class="hover:text-indigo-700">"Sign out"</button>
        </ActionForm>
    }
}

/// Everything the account page shows, loaded at its top in one resource (the page is behind
/// the signed-in guard).
#[component]
pub fn AccountPage() -> impl IntoView {
    let data = Resource::new(
        || (),
        |_| async move {
            let user = current_user().await?.ok_or(AppError::Unauthorized)?;
            Ok((user, my_sessions().await?, my_api_keys().await?))
        },
    );
    view! {
        <Title text="Your account"/>
        <Loaded resource=data view=|(user, sessions, keys)| view! { <Account user sessions keys/> }/>
    }
}

#[component]
fn Account(user: User, sessions: Vec<SessionInfo>, keys: Vec<ApiKeyInfo>) -> impl IntoView {
    let welcome = query("welcome");
    let password_changed = query("password");
    let email_changed = query("email");
    let resend = ServerAction::<ResendVerification>::new();
    view! {
        <h1 class="text-2xl font-bold">"Your account"</h1>
        <Show when=move || welcome.get().is_some()>
            <p role="status" class="mt-4 rounded bg-green-50 px-3 py-2 text-green-800">
                "Welcome to Agora! We sent you an email to confirm your address."
            </p>
        </Show>
        <Show when=move || password_changed.get().is_some()>
            <p role="status" class="mt-4 rounded bg-green-50 px-3 py-2 text-green-800">
                "Your password was changed and your other sessions were signed out."
            </p>
        </Show>
        <Show when=move || email_changed.get().is_some()>
            <p role="status" class="mt-4 rounded bg-green-50 px-3 py-2 text-green-800">
                "Your email address was changed. Follow the link we sent to the new address to confirm it."
            </p>
        </Show>
        {(!user.email_verified).then(|| view! {
            <div class="mt-4 flex flex-wrap items-center gap-3 rounded bg-amber-50 px-3 py-2 text-amber-900">
                <p>"Your email address is not confirmed yet."</p>
                <ActionForm action=resend>
                    <button type="submit" class=BUTTON_SECONDARY>"Send the link again"</button>
                </ActionForm>
            </div>
        })}
        <div class="mt-6 grid gap-6 lg:grid-cols-2">
            <ProfileSection user=user.clone()/>
            <EmailSection email=user.email.to_string()/>
            <PasswordSection/>
            <NotificationsSection prefs=user.notifications/>
            <SessionsSection sessions/>
            <Section id="api-keys" title="API keys">
                <ApiKeys keys/>
            </Section>
            <DeleteSection/>
        </div>
    }
}

/// Whether the page was reached after the form `form` saved (`?saved=<form>`).
fn saved(form: &'static str) -> impl Fn() -> bool + Send + Sync + Copy + 'static {
    let saved = query("saved");
    move || saved.get().as_deref() == Some(form)
}

#[component]
fn Section(id: &'static str, title: &'static str, children: Children) -> impl IntoView {
    view! {
        <section id=id aria-labelledby=format!("{id}-title") class="rounded-lg border border-slate-200 bg-white p-5">
            <h2 id=format!("{id}-title") class="mb-4 text-lg font-semibold">{title}</h2>
            {children()}
        </section>
    }
}

#[component]
fn ProfileSection(user: User) -> impl IntoView {
    let action = ServerAction::<UpdateProfile>::new();
    let error = last_error(action);
    let saved = saved("profile");
    view! {
        <Section id="profile" title="Profile">
            <p class="mb-3 text-sm text-slate-600">{format!("Signed in as {} ({})", user.email, user.role)}</p>
            <AvatarForm avatar_url=user.avatar_url.clone()/>
            <ActionForm action attr:class="flex flex-col gap-3">
                <FormError error/>
                <div class="grid gap-3 sm:grid-cols-2">
                    <Field label="First name" name="first_name" field="firstName" value=user.first_name.clone() required=true error/>
                    <Field label="Last name" name="last_name" field="lastName" value=user.last_name.clone() required=true error/>
                </div>
                <Field label="Phone" name="phone" field="phone" kind="tel" value=user.phone.clone().unwrap_or_default() error/>
                <Field label="Bio" name="bio" field="bio" value=user.bio.clone() error/>
                <div class="grid gap-3 sm:grid-cols-2">
                    <Field label="Time zone" name="timezone" field="timezone" value=user.timezone.clone() error/>
                    <Field label="Language" name="language" field="language" value=user.language.clone() error/>
                </div>
                <div class="flex items-center gap-3">
                    <button type="submit" class=BUTTON>"Save profile"</button>
                    <Show when=saved><span role="status" class="text-sm text-green-700">"Saved."</span></Show>
                </div>
            </ActionForm>
        </Section>
    }
}

/// The picture upload: a plain multipart form (server functions take no files before
/// hydration) that comes back to `/account?avatar=<outcome>`.
#[component]
fn AvatarForm(avatar_url: Option<String>) -> impl IntoView {
    let outcome = query("avatar");
    let problem = move || outcome.get().as_deref().and_then(AvatarProblem::from_code);
    let saved = move || outcome.get().as_deref() == Some("saved");
    view! {
        <form method="post" action="/account/avatar" enctype="multipart/form-data"
            class="mb-5 flex flex-wrap items-end gap-4 border-b border-slate-200 pb-5">
            {match avatar_url {
                Some(url) => view! {
                    <img src=url alt="Your profile picture" width="64" height="64" class="h-16 w-16 rounded-full object-cover"/>
                }.into_any(),
                None => view! {
                    <div aria-hidden="true" class="h-16 w-16 rounded-full bg-slate-200"></div>
                }.into_any(),
            }}
            <div class="flex min-w-0 flex-1 flex-col gap-1">
                <label for="field-avatar" class="text-sm font-medium">"Profile picture"</label>
                <input id="field-avatar" name="avatar" type="file" required=true
                    accept="image/png,image/jpeg,image/webp,image/gif"
                    aria-invalid=move || problem().is_some().to_string()
                    aria-describedby="field-avatar-hint field-avatar-error"
                    class="max-w-full text-sm"/>
                <p id="field-avatar-hint" class="text-xs text-slate-500">"PNG, JPEG, WebP or GIF, up to 1 MB."</p>
                <p id="field-avatar-error" class="text-sm text-red-700" role="alert">{move || problem().map(AvatarProblem::message)}</p>
            </div>
            <div class="flex items-center gap-3">
                <button type="submit" class=BUTTON_SECONDARY>"Upload picture"</button>
                <Show when=saved><span role="status" class="text-sm text-green-700">"Picture saved."</span></Show>
            </div>
        </form>
    }
}

#[component]
fn EmailSection(email: String) -> impl IntoView {
    let action = ServerAction::<ChangeEmail>::new();
    let error = last_error(action);
    view! {
        <Section id="email" title="Email address">
            <p class="mb-3 text-sm text-slate-600">{format!("Currently {email}.")}</p>
            <ActionForm action attr:class="flex flex-col gap-3">
                <FormError error/>
                <Field label="New email" name="new_email" field="email" kind="email" autocomplete="email" required=true
                    hint="We send a link to the new address to confirm it." error/>
                <Field label="Password" name="password" field="password" kind="password" autocomplete="current-password" required=true error/>
                <button type="submit" class=BUTTON>"Change email"</button>
            </ActionForm>
        </Section>
    }
}

#[component]
fn NotificationsSection(prefs: NotificationPrefs) -> impl IntoView {
    let action = ServerAction::<UpdateNotifications>::new();
    let error = last_error(action);
    let saved = saved("notifications");
    let choice = |name: &'static str, label: &'static str, hint: &'static str, on: bool| {
        view! {
            <label class="flex items-start gap-3">
                <input type="checkbox" name=name value="on" checked=on class="mt-1"/>
                <span><span class="font-medium">{label}</span><br/><span class="text-sm text-slate-600">{hint}</span></span>
            </label>
        }
    };
    view! {
        <Section id="notifications" title="Email notifications">
            <ActionForm action attr:class="flex flex-col gap-3">
                <FormError error/>
                <fieldset class="flex flex-col gap-3">
                    <legend class="sr-only">"Emails to receive"</legend>
                    {choice("order_emails", "Orders", "Receipts, downloads and refunds.", prefs.order_emails)}
                    {choice("security_emails", "Security", "Sign-ins and changes to your password or email.", prefs.security_emails)}
                    {choice("marketing_emails", "News and offers", "New cashback offers and products we think you will like.", prefs.marketing_emails)}
                </fieldset>
                <div class="flex items-center gap-3">
                    <button type="submit" class=BUTTON>"Save preferences"</button>
                    <Show when=saved><span role="status" class="text-sm text-green-700">"Saved."</span></Show>
                </div>
            </ActionForm>
        </Section>
    }
}

#[component]
fn PasswordSection() -> impl IntoView {
    let action = ServerAction::<ChangePassword>::new();
    let error = last_error(action);
    view! {
        <Section id="password" title="Password">
            <ActionForm action attr:class="flex flex-col gap-3">
                <FormError error/>
                <Field label="Current password" name="current_password" field="currentPassword" kind="password" autocomplete="current-password" required=true error/>
                <Field label="New password" name="new_password" field="newPassword" kind="password" autocomplete="new-password" required=true
                    hint="Your other sessions will be signed out." error/>
                <button type="submit" class=BUTTON>"Change password"</button>
            </ActionForm>
        </Section>
    }
}

#[component]
fn SessionsSection(sessions: Vec<SessionInfo>) -> impl IntoView {
    let end_one = ServerAction::<EndSession>::new();
    let end_others = ServerAction::<EndOtherSessions>::new();
    view! {
        <Section id="sessions" title="Active sessions">
            <ul class="flex flex-col gap-3">
                {sessions.into_iter().map(|s| view! {
                    <li class="flex flex-wrap items-center justify-between gap-2 rounded border border-slate-200 p-3 text-sm">
                        <div>
                            <p class="font-medium">{s.user_agent.clone().unwrap_or_else(|| "Unknown browser".into())}
                                {s.current.then(|| view! { <span class="ml-2 rounded bg-indigo-100 px-2 text-xs text-indigo-800">"This device"</span> })}
                            </p>
                            <p class="text-slate-600">{format!("{} · signed in {} · last seen {}",
                                s.ip.clone().unwrap_or_else(|| "unknown address".into()),
                                s.created_at.display_utc(), s.last_seen_at.display_utc())}</p>
                        </div>
                        {(!s.current).then(|| view! {
                            <ActionForm action=end_one>
                                <input type="hidden" name="id" value=s.id.clone()/>
                                <button type="submit" class=BUTTON_SECONDARY>"Sign out this one"</button>
                            </ActionForm>
                        })}
                    </li>
                }).collect_view()}
            </ul>
            <ActionForm action=end_others attr:class="mt-4">
                <button type="submit" class=BUTTON_SECONDARY>"Sign out all other sessions"</button>
            </ActionForm>
        </Section>
    }
}

/// The API keys: an island, because a new key's secret can only be shown by the page that
/// asked for it (it is never stored, so it cannot come back in a redirect). The list starts
/// with the keys the server rendered and is reloaded after each change. "Create key" stays
/// disabled until the island has loaded.
#[island(lazy)]
fn ApiKeys(keys: Vec<ApiKeyInfo>) -> impl IntoView {
    let create = ServerAction::<CreateApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let error = last_error(create);
    let list = RwSignal::new(keys);
    let (ready, set_ready) = signal(false);
    Effect::new(move |_| set_ready.set(true));
    Effect::watch(
        move || (create.version().get(), revoke.version().get()),
        move |_, _, _| {
            leptos::task::spawn_local(async move {
                if let Ok(keys) = my_api_keys().await {
                    list.set(keys);
                }
            });
        },
        false,
    );
    let new_key = move || create.value().get().and_then(Result::ok);
    view! {
        <Show when=move || new_key().is_some()>
            <div role="status" class="mb-4 rounded bg-green-50 p-3 text-sm text-green-900">
                <p>"Copy your new key now — it will not be shown again:"</p>
                <code class="mt-1 block break-all font-mono">{move || new_key().map(|k| k.key)}</code>
            </div>
        </Show>
        <ActionForm action=create attr:class="flex flex-col gap-3">
            <FormError error/>
            <Field label="Key name" name="name" field="name" required=true error/>
            <fieldset class="flex gap-4 text-sm">
                <legend class="sr-only">"Scope"</legend>
                <label class="flex items-center gap-2"><input type="radio" name="scope" value="read" checked=true/>"Read only"</label>
                <label class="flex items-center gap-2"><input type="radio" name="scope" value="read_write"/>"Read and write"</label>
            </fieldset>
            <button type="submit" class=BUTTON disabled=move || !ready.get()>"Create key"</button>
        </ActionForm>
        <ul class="mt-4 flex flex-col gap-2">
            <For each=move || list.get() key=|k| k.id.clone() let:k>
                <li class="flex flex-wrap items-center justify-between gap-2 rounded border border-slate-200 p-3 text-sm">
                    <div>
                        <p class="font-medium">{k.name.clone()}" "<code>{format!("{}…", k.prefix)}</code></p>
                        <p class="text-slate-600">{format!("{} · created {} · {}",
                            if k.scope == KeyScope::Read { "read only" } else { "read and write" },
                            k.created_at.display_utc(),
                            k.last_used_at.map_or_else(|| "never used".to_owned(), |t| format!("last used {}", t.display_utc())))}</p>
                    </div>
                    <ActionForm action=revoke>
                        <input type="hidden" name="id" value=k.id.to_string()/>
                        <button type="submit" class=BUTTON_SECONDARY>"Revoke"</button>
                    </ActionForm>
                </li>
            </For>
        </ul>
    }
}

#[component]
fn DeleteSection() -> impl IntoView {
    let action = ServerAction::<DeleteAccount>::new();
    let error = last_error(action);
    view! {
        <Section id="delete" title="Delete account">
            <p class="mb-3 text-sm text-slate-600">"Your account is closed and you are signed out everywhere. Type your password to confirm."</p>
            <ActionForm action attr:class="flex flex-col gap-3">
                <FormError error/>
                <Field label="Password" name="password" field="password" kind="password" autocomplete="current-password" required=true error/>
                <button type="submit" class="rounded bg-red-700 px-4 py-2 font-semibold text-white">"Delete my account"</button>
            </ActionForm>
        </Section>
    }
}
