//! Audit log entries as the admin pages and the API show them.
use crate::platform::types::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub id: i64,
    /// `system` or `user:<id>`.
    pub actor: String,
    /// What was done, `feature.verb` (e.g. `settings.update`).
    pub action: String,
    /// What it was done to, `kind:id` (e.g. `setting:site_name`).
    pub target: Option<String>,
    /// Action-specific facts, e.g. the old and new value.
    pub details: serde_json::Value,
    pub ip: Option<String>,
    pub request_id: Option<String>,
    pub at: Timestamp,
}
