//! Random secrets and their stored form. Tokens (emailed links, refresh tokens, API keys,
//! session handles) are 32 random bytes, base64url; only their SHA-256 is stored, and
//! look-ups go by that hash, so no secret is ever compared byte by byte.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new random token (32 bytes, base64url) with an optional readable prefix.
pub fn random_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// The longest token a request may present (ours are 43 characters, with a short prefix).
pub const TOKEN_MAX_LEN: usize = 128;

/// Whether `token` could be one of ours by its length: anything longer is refused before it
/// is hashed or looked up.
pub fn plausible(token: &str) -> bool {
    !token.is_empty() && token.len() <= TOKEN_MAX_LEN
}

/// The stored form of a token: hex SHA-256.
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_tokens_of_a_plausible_length_are_looked_up() {
        assert!(plausible(&random_token("agora_")));
        assert!(!plausible(""));
        assert!(!plausible(&"x".repeat(TOKEN_MAX_LEN + 1)));
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = random_token("agora_");
        assert!(a.starts_with("agora_"));
        assert_ne!(a, random_token("agora_"));
        assert_eq!(token_hash("abc").len(), 64);
        assert_eq!(token_hash("abc"), token_hash("abc"));
    }
}
