//! The throttling rules of sign-in, registration and emailed tokens.

use crate::platform::throttle::{Rule, minutes};

/// Every sign-in attempt from one address.
pub const LOGIN_PER_IP: Rule = Rule {
    name: "login-ip",
    limit: 30,
    window: minutes(5),
};
/// Failed sign-ins for one account from one address.
pub const LOGIN_FAILURES_PER_ACCOUNT_IP: Rule = Rule {
    name: "login-account-ip",
    limit: 5,
    window: minutes(15),
};
/// Failed sign-ins for one account from anywhere (a distributed guesser), for browsers that
/// have not signed in to it before. A short window bounds how long strangers can keep a new
/// device out; the owner's known devices count per device instead (`auth::device`).
pub const LOGIN_FAILURES_PER_ACCOUNT: Rule = Rule {
    name: "login-account",
    limit: 20,
    window: minutes(15),
};
/// Failed sign-ins from one browser that has signed in to the account before.
pub const LOGIN_FAILURES_PER_DEVICE: Rule = Rule {
    name: "login-device",
    limit: 10,
    window: minutes(15),
};
/// Registrations from one address.
pub const REGISTER_PER_IP: Rule = Rule {
    name: "register-ip",
    limit: 10,
    window: minutes(60),
};
/// Password-reset requests from one address, and for one email.
pub const FORGOT_PER_IP: Rule = Rule {
    name: "forgot-ip",
    limit: 10,
    window: minutes(15),
};
pub const FORGOT_PER_ACCOUNT: Rule = Rule {
    name: "forgot-account",
    limit: 3,
    window: minutes(15),
};
/// Uses of emailed or refresh tokens from one address.
pub const TOKENS_PER_IP: Rule = Rule {
    name: "tokens-ip",
    limit: 30,
    window: minutes(5),
};
