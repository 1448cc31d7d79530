//! Who is acting. Accounts, sessions and roles build on this (issue 3); until then the only
//! actor is the system itself (the CLI and background jobs).
pub mod model;
