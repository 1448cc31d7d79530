//! The caller of a service function.

/// Every service function that changes something takes the caller, so permission checks and
/// the audit trail live in the service layer, never in a page or handler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// The operator at the command line, or a background job.
    System,
}

impl Actor {
    /// How the actor appears in the audit log (`kind:id`).
    pub fn audit_label(&self) -> String {
        match self {
            Self::System => "system".to_owned(),
        }
    }
}
