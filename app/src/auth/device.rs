//! Device tokens against locking an owner out of their account (OWASP's "device cookies").
//! The per-account limit on failed sign-ins counts failures from everywhere, so strangers can
//! run it up on purpose; a browser that has signed in to the account before carries a signed
//! token saying so, and its attempts are limited per device instead — the owner's own browser
//! is never locked out by someone else's guessing. The token names the account by a hash of its
//! email key (no address in a cookie) and a random device id; it lives a year.

use crate::platform::signer::{Claims, Signer};
use crate::platform::tokens::{random_token, token_hash};
use crate::platform::types::Timestamp;
use serde::{Deserialize, Serialize};

/// The cookie that carries the token over plain HTTP (development, tests).
pub const DEVICE_COOKIE: &str = "agora_device";
/// Its name behind TLS: `__Host-` cookies are `Secure`, for the whole host, set by the host.
pub const DEVICE_COOKIE_TLS: &str = "__Host-agora_device";
/// How long a device is remembered.
pub const DEVICE_DAYS: i64 = 365;
/// The longest cookie value looked at (a real token is about 250 characters).
const TOKEN_MAX: usize = 1024;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeviceClaims {
    /// The hash of the account's email key.
    acc: String,
    /// The device's random id.
    dev: String,
    /// Expiry, unix seconds.
    exp: i64,
}

impl Claims for DeviceClaims {
    fn expires_at(&self) -> i64 {
        self.exp
    }
}

/// A new device token for the account with `email_key`.
pub fn token(signer: &Signer, email_key: &str) -> String {
    signer.sign(&DeviceClaims {
        acc: token_hash(email_key),
        dev: random_token(""),
        exp: Timestamp::now().as_secs() + DEVICE_DAYS * 24 * 3600,
    })
}

/// The device id in `token` when it is a valid token of the account with `email_key`.
pub fn recognise(signer: &Signer, token: &str, email_key: &str) -> Option<String> {
    if token.len() > TOKEN_MAX {
        return None;
    }
    let claims: DeviceClaims = signer.verify(token, Timestamp::now().as_secs()).ok()?;
    (claims.acc == token_hash(email_key)).then_some(claims.dev)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_token_names_one_account() {
        let signer = Signer::new(b"test key");
        let token = token(&signer, "ada@example.com");
        let device = recognise(&signer, &token, "ada@example.com").expect("recognised");
        assert!(!device.is_empty());
        assert_eq!(recognise(&signer, &token, "eve@example.com"), None);
        assert_eq!(
            recognise(&Signer::new(b"another key"), &token, "ada@example.com"),
            None
        );
        assert_eq!(recognise(&signer, "junk", "ada@example.com"), None);
    }
}
