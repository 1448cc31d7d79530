//! The storefront types that pages and the API show. The owner's view carries the payout
//! details they entered; the public view never does.

use crate::platform::types::{Id, Timestamp};
use serde::{Deserialize, Serialize};

/// Where a storefront application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum VendorStatus {
    Pending,
    Approved,
    Rejected,
}

impl VendorStatus {
    pub const ALL: [VendorStatus; 3] = [Self::Pending, Self::Approved, Self::Rejected];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == value)
    }
}

impl TryFrom<String> for VendorStatus {
    type Error = String;

    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value).ok_or_else(|| format!("unknown vendor status {value:?}"))
    }
}

/// How a vendor is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum PayoutMethod {
    Paypal,
    Bank,
}

impl PayoutMethod {
    pub const ALL: [PayoutMethod; 2] = [Self::Paypal, Self::Bank];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Paypal => "paypal",
            Self::Bank => "bank",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Paypal => "PayPal",
            Self::Bank => "Bank transfer",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|method| method.as_str() == value)
    }
}

impl TryFrom<String> for PayoutMethod {
    type Error = String;

    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value).ok_or_else(|| format!("unknown payout method {value:?}"))
    }
}

/// What the `/sell` form or `POST /vendors/apply` (and `PUT /vendors/me`) sends. Values are
/// taken as sent; [`Application::trimmed`] is for what people type into the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", schema(example = json!({
    "storeName": "Northwind Templates",
    "slug": "northwind-templates",
    "description": "Notion and n8n templates for small agencies.",
    "website": "https://northwind.example",
    "contactEmail": "hello@northwind.example",
    "payoutMethod": "paypal",
    "payoutDetails": "payouts@northwind.example"
})))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Application {
    #[cfg_attr(feature = "ssr", schema(schema_with = crate::vendors::rules::schema::store_name))]
    pub store_name: String,
    /// The storefront's address; empty or absent to make one from the store name.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(schema_with = crate::platform::validate::slug_schema))]
    pub slug: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(schema_with = crate::vendors::rules::schema::optional_description))]
    pub description: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(schema_with = crate::vendors::rules::schema::optional_website))]
    pub website: Option<String>,
    #[cfg_attr(feature = "ssr", schema(schema_with = crate::platform::types::email_schema))]
    pub contact_email: String,
    pub payout_method: PayoutMethod,
    #[cfg_attr(feature = "ssr", schema(schema_with = crate::vendors::rules::schema::payout_details))]
    pub payout_details: String,
}

impl Application {
    /// The form as typed, without the spaces people leave around values.
    pub fn trimmed(self) -> Self {
        let trim = |value: Option<String>| value.map(|v| v.trim().to_owned());
        Self {
            store_name: self.store_name.trim().to_owned(),
            slug: trim(self.slug),
            description: trim(self.description),
            website: trim(self.website),
            contact_email: self.contact_email.trim().to_owned(),
            payout_method: self.payout_method,
            payout_details: self.payout_details.trim().to_owned(),
        }
    }
}

/// A storefront as its owner and staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, sqlx::FromRow))]
#[serde(rename_all = "camelCase")]
pub struct Vendor {
    pub id: Id,
    pub user_id: Id,
    pub store_name: String,
    pub slug: String,
    pub description: String,
    pub website: Option<String>,
    pub contact_email: String,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub payout_method: PayoutMethod,
    pub payout_details: String,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub status: VendorStatus,
    /// Why staff rejected the application (shown to the applicant).
    pub rejection_reason: Option<String>,
    /// The storefront's own commission rate in basis points; `null`: the site's rate.
    pub commission_bps: Option<i64>,
    pub decided_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A storefront as anyone sees it (approved stores only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, sqlx::FromRow))]
#[serde(rename_all = "camelCase")]
pub struct Storefront {
    pub store_name: String,
    pub slug: String,
    pub description: String,
    pub website: Option<String>,
    /// When the store opened (its approval).
    pub since: Timestamp,
}

/// Filters and page of the staff list of applications and stores (all kept in the URL).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct VendorQuery {
    pub status: Option<VendorStatus>,
    pub search: Option<String>,
    pub page: Option<u32>,
    pub limit: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_methods_round_trip_through_text() {
        for status in VendorStatus::ALL {
            assert_eq!(VendorStatus::parse(status.as_str()), Some(status));
        }
        for method in PayoutMethod::ALL {
            assert_eq!(PayoutMethod::parse(method.as_str()), Some(method));
        }
        assert_eq!(VendorStatus::parse("suspended"), None);
    }
}
