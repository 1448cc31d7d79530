//! The catalog types that pages and the API show.

use crate::platform::types::Id;
use serde::{Deserialize, Deserializer, Serialize};

/// A category, in tree order: each one follows its parent, siblings by position then name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Category {
    pub id: Id,
    pub parent_id: Option<Id>,
    pub name: String,
    pub slug: String,
    pub description: String,
    pub position: i64,
    /// 0 for a top-level category, 1 below it, 2 below that.
    pub depth: u8,
}

/// A new category (staff). Values are taken as sent; an absent or empty slug is made from
/// the name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", schema(example = json!({
    "name": "Automation",
    "slug": "automation",
    "parentId": null,
    "description": "Workflows for n8n, Zapier and Make.",
    "position": 0
})))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewCategory {
    #[cfg_attr(feature = "ssr", schema(schema_with = crate::catalog::rules::schema::name))]
    pub name: String,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(schema_with = crate::platform::validate::slug_schema))]
    pub slug: Option<String>,
    /// The parent category's id; absent or `null` for a top-level category.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>))]
    pub parent_id: Option<Id>,
    #[serde(default)]
    #[cfg_attr(
        feature = "ssr",
        schema(schema_with = crate::catalog::rules::schema::optional_description)
    )]
    pub description: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(minimum = 0, maximum = 1000, value_type = Option<i64>))]
    pub position: Option<i64>,
}

/// A change to a category (staff); absent fields stay as they are, and `"parentId": null`
/// moves it to the top level.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", schema(example = json!({"name": "Automations", "parentId": null})))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CategoryChanges {
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(schema_with = crate::catalog::rules::schema::optional_name))]
    pub name: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(schema_with = crate::platform::validate::slug_schema))]
    pub slug: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>))]
    pub parent_id: Option<Option<Id>>,
    #[serde(default)]
    #[cfg_attr(
        feature = "ssr",
        schema(schema_with = crate::catalog::rules::schema::optional_description)
    )]
    pub description: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(minimum = 0, maximum = 1000, value_type = Option<i64>))]
    pub position: Option<i64>,
}

/// A field that was sent, `null` included (`Some(None)`); an absent one stays `None`.
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}
