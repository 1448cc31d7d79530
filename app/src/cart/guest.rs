//! A guest's cart, kept in the browser as a signed cookie: the product ids, most recent
//! first, at most [`MAX_LINES`](super::service::MAX_LINES). No server state for visitors who
//! are not signed in; the signature means a visitor can only ever send back a list this site
//! made. Signing in merges it into the stored cart (`service::merge`) and clears it.

use crate::platform::Services;
use crate::platform::signer::Claims;
use crate::platform::types::{Id, Timestamp};
use serde::{Deserialize, Serialize};

pub const COOKIE: &str = "agora_cart";
/// How long a guest's cart is kept.
const DAYS: i64 = 30;

#[derive(Serialize, Deserialize)]
struct GuestCart {
    p: Vec<Id>,
    exp: i64,
}

impl Claims for GuestCart {
    fn expires_at(&self) -> i64 {
        self.exp
    }
}

/// The products in this request's guest cart (none when it has no valid one).
pub fn read(services: &Services, headers: &http::HeaderMap) -> Vec<Id> {
    let Some(token) = crate::platform::request::cookie(headers, COOKIE) else {
        return Vec::new();
    };
    if token.len() > 8_000 {
        return Vec::new();
    }
    services
        .signer
        .verify::<GuestCart>(token, Timestamp::now().as_millis() / 1000)
        .map(|cart| cart.p)
        .unwrap_or_default()
}

/// The `Set-Cookie` value that makes `products` the guest cart (or removes it when empty).
pub fn cookie(services: &Services, products: Vec<Id>) -> String {
    let secure = if services.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    if products.is_empty() {
        return format!("{COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{secure}");
    }
    let token = services.signer.sign(&GuestCart {
        p: products,
        exp: Timestamp::now().as_millis() / 1000 + DAYS * 86_400,
    });
    format!(
        "{COOKIE}={token}; Path=/; Max-Age={}; HttpOnly; SameSite=Lax{secure}",
        DAYS * 86_400
    )
}
