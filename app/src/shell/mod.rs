//! The frame around every page: the site and `/admin` layouts, the server-side page guards,
//! page statuses and the error pages. Of the features it knows only the sign-out button.
pub mod guard;
pub mod layout;
pub mod status;
