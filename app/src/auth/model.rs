//! The account types that pages and the API show. They travel to the browser too, so nothing
//! secret lives here: no password hash, no token hash. (Who is acting, roles and the
//! permission proofs are `platform::identity`.)

use crate::platform::identity::Role;
use crate::platform::types::{EmailAddress, Id, Timestamp};
use serde::{Deserialize, Serialize};

/// An account's state: suspended accounts cannot sign in, deleted ones are kept (soft delete)
/// with their email freed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum AccountStatus {
    Active,
    Suspended,
    Deleted,
}

impl TryFrom<String> for AccountStatus {
    type Error = String;

    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value).ok_or_else(|| format!("unknown account status {value:?}"))
    }
}

impl AccountStatus {
    pub const ALL: [AccountStatus; 3] = [Self::Active, Self::Suspended, Self::Deleted];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Suspended => "suspended",
            Self::Deleted => "deleted",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == value)
    }
}

/// What an API key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum KeyScope {
    Read,
    ReadWrite,
}

impl TryFrom<String> for KeyScope {
    type Error = String;

    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value).ok_or_else(|| format!("unknown key scope {value:?}"))
    }
}

impl KeyScope {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::ReadWrite => "read_write",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "read" => Some(Self::Read),
            "read_write" => Some(Self::ReadWrite),
            _ => None,
        }
    }
}

/// An account as its owner and staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: Id,
    pub email: EmailAddress,
    pub email_verified: bool,
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    pub bio: String,
    pub timezone: String,
    pub language: String,
    /// URL of the avatar image, if one was uploaded.
    pub avatar_url: Option<String>,
    pub role: Role,
    pub status: AccountStatus,
    pub referral_code: String,
    pub notifications: NotificationPrefs,
    pub created_at: Timestamp,
    pub last_login_at: Option<Timestamp>,
}

impl User {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

/// Why an avatar upload was refused. The upload form is a plain browser form that comes back
/// to `/account` with the code in the URL; the page shows the message (never text taken from
/// the URL).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AvatarProblem {
    Missing,
    TooLarge,
    NotAnImage,
}

impl AvatarProblem {
    pub fn code(self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::TooLarge => "too-large",
            Self::NotAnImage => "not-an-image",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Missing, Self::TooLarge, Self::NotAnImage]
            .into_iter()
            .find(|problem| problem.code() == code)
    }

    pub fn message(self) -> &'static str {
        match self {
            Self::Missing => "Choose an image to upload.",
            Self::TooLarge => "The image is larger than 1 MB.",
            Self::NotAnImage => "Upload a PNG, JPEG, WebP or GIF image.",
        }
    }
}

/// Which emails a person wants (the notifications feature adds kinds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", default)]
pub struct NotificationPrefs {
    pub order_emails: bool,
    pub marketing_emails: bool,
    pub security_emails: bool,
}

impl Default for NotificationPrefs {
    fn default() -> Self {
        Self {
            order_emails: true,
            marketing_emails: false,
            security_emails: true,
        }
    }
}

/// One of a person's signed-in browsers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SessionInfo {
    /// An opaque handle for ending this session (not the cookie value).
    pub id: String,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    /// Whether this is the session making the request.
    pub current: bool,
}

/// A personal API key as listed (the secret itself is shown only once, at creation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyInfo {
    pub id: Id,
    pub name: String,
    /// The key's first characters, to recognise it.
    pub prefix: String,
    pub scope: KeyScope,
    pub created_at: Timestamp,
    /// When the key was last used, to the minute (a use within a minute of the last recorded
    /// one is not recorded again).
    pub last_used_at: Option<Timestamp>,
}

/// A key just created: the only time `key` is ever returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct NewApiKey {
    pub key: String,
    pub info: ApiKeyInfo,
}

/// What a registration form or `POST /auth/register` sends. The service takes the values as
/// sent; [`Registration::trimmed`] is for what people type into the form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", schema(example = json!({
    "email": "nia.okafor@example.com",
    "password": "Lantern-Copper-42",
    "firstName": "Nia",
    "lastName": "Okafor",
    "phone": "+44 20 7946 0958",
    "referralCode": null
})))]
#[serde(rename_all = "camelCase")]
pub struct Registration {
    #[cfg_attr(feature = "ssr", schema(schema_with = crate::platform::types::email_schema))]
    pub email: String,
    #[cfg_attr(feature = "ssr", schema(schema_with = crate::auth::validate::schema::password))]
    pub password: String,
    #[cfg_attr(feature = "ssr", schema(schema_with = crate::auth::validate::schema::name))]
    pub first_name: String,
    #[cfg_attr(feature = "ssr", schema(schema_with = crate::auth::validate::schema::name))]
    pub last_name: String,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(schema_with = crate::auth::validate::schema::optional_phone))]
    pub phone: Option<String>,
    #[serde(default)]
    #[cfg_attr(
        feature = "ssr",
        schema(schema_with = crate::auth::validate::schema::optional_referral_code)
    )]
    pub referral_code: Option<String>,
}

impl Registration {
    /// The form as typed, without the spaces people leave around values (not the password).
    pub fn trimmed(self) -> Self {
        Self {
            email: self.email.trim().to_owned(),
            password: self.password,
            first_name: self.first_name.trim().to_owned(),
            last_name: self.last_name.trim().to_owned(),
            phone: self.phone.map(|phone| phone.trim().to_owned()),
            referral_code: self.referral_code.map(|code| code.trim().to_owned()),
        }
    }
}

/// Editable profile fields; `None` leaves a field as it is. The service takes the values as
/// sent; [`ProfileChanges::trimmed`] is for what people type into the form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", schema(example = json!({
    "firstName": "Ada",
    "bio": "Writes workflow templates for small studios.",
    "timezone": "Europe/London",
    "language": "en-GB",
    "notifications": {"orderEmails": true, "marketingEmails": false, "securityEmails": true}
})))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProfileChanges {
    #[cfg_attr(feature = "ssr", schema(schema_with = crate::auth::validate::schema::optional_name))]
    pub first_name: Option<String>,
    #[cfg_attr(feature = "ssr", schema(schema_with = crate::auth::validate::schema::optional_name))]
    pub last_name: Option<String>,
    /// An empty string removes the phone number.
    #[cfg_attr(feature = "ssr", schema(schema_with = crate::auth::validate::schema::optional_phone))]
    pub phone: Option<String>,
    #[cfg_attr(feature = "ssr", schema(schema_with = crate::auth::validate::schema::optional_bio))]
    pub bio: Option<String>,
    #[cfg_attr(
        feature = "ssr",
        schema(schema_with = crate::auth::validate::schema::optional_timezone)
    )]
    pub timezone: Option<String>,
    #[cfg_attr(
        feature = "ssr",
        schema(schema_with = crate::auth::validate::schema::optional_language)
    )]
    pub language: Option<String>,
    pub notifications: Option<NotificationPrefs>,
}

impl ProfileChanges {
    /// The form as typed, without the spaces people leave around values (the bio keeps its
    /// inner lines).
    pub fn trimmed(self) -> Self {
        let trim = |value: Option<String>| value.map(|v| v.trim().to_owned());
        Self {
            first_name: trim(self.first_name),
            last_name: trim(self.last_name),
            phone: trim(self.phone),
            bio: trim(self.bio),
            timezone: trim(self.timezone),
            language: trim(self.language),
            notifications: self.notifications,
        }
    }
}

/// A staff change to an account; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", schema(example = json!({"role": "manager", "status": "active"})))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccountChanges {
    pub role: Option<Role>,
    /// `active` or `suspended` (deleting is the owner's choice).
    #[cfg_attr(feature = "ssr", schema(schema_with = settable_status_schema))]
    pub status: Option<AccountStatus>,
}

/// The statuses staff may set: not `deleted`.
#[cfg(feature = "ssr")]
fn settable_status_schema() -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .enum_values(Some([
            Some(AccountStatus::Active.as_str()),
            Some(AccountStatus::Suspended.as_str()),
            None,
        ]))
        .description(Some(
            "`active` or `suspended` (deleting an account is its owner's choice).",
        ))
        .build()
}

/// Filters, sort and page of the staff user list (all kept in the URL).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserQuery {
    pub search: Option<String>,
    pub role: Option<Role>,
    pub status: Option<AccountStatus>,
    /// `created`, `email`, `name` or `last_login`.
    pub sort: Option<String>,
    /// `asc` or `desc`.
    pub order: Option<String>,
    pub page: Option<u32>,
    pub limit: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_scopes_round_trip_through_text() {
        for status in AccountStatus::ALL {
            assert_eq!(AccountStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(KeyScope::parse("read_write"), Some(KeyScope::ReadWrite));
        assert_eq!(KeyScope::parse("admin"), None);
    }
}
