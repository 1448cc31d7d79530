//! Signed, expiring tokens (compact JWTs, HS256) with a key shared through the database, so
//! every instance signs and checks alike. What a token says is the caller's type; the signer
//! only guarantees it was made here and has not expired.

use crate::error::AppError;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::Arc;

/// The payload of a signed token.
pub trait Claims: Serialize + DeserializeOwned {
    /// When the token stops being valid, unix seconds.
    fn expires_at(&self) -> i64;
}

/// Signs and checks tokens.
#[derive(Clone)]
pub struct Signer {
    key: Arc<[u8]>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer(***)")
    }
}

type HmacSha256 = Hmac<sha2::Sha256>;
const JWT_HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

impl Signer {
    pub fn new(key: &[u8]) -> Self {
        Self { key: key.into() }
    }

    fn mac(&self) -> HmacSha256 {
        HmacSha256::new_from_slice(&self.key).expect("HMAC takes keys of any length")
    }

    /// `claims` as a signed compact JWT.
    pub fn sign(&self, claims: &impl Claims) -> String {
        let header = URL_SAFE_NO_PAD.encode(JWT_HEADER);
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap_or_default());
        let signing_input = format!("{header}.{payload}");
        let mut mac = self.mac();
        mac.update(signing_input.as_bytes());
        let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{signing_input}.{signature}")
    }

    /// The claims of a token this signer made that has not expired at `now_secs`.
    pub fn verify<C: Claims>(&self, token: &str, now_secs: i64) -> Result<C, AppError> {
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(AppError::InvalidToken);
        };
        if URL_SAFE_NO_PAD.decode(header).ok().as_deref() != Some(JWT_HEADER.as_bytes()) {
            return Err(AppError::InvalidToken);
        }
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| AppError::InvalidToken)?;
        let mut mac = self.mac();
        mac.update(header.as_bytes());
        mac.update(b".");
        mac.update(payload.as_bytes());
        // `verify_slice` compares in constant time.
        mac.verify_slice(&signature)
            .map_err(|_| AppError::InvalidToken)?;
        let claims: C = URL_SAFE_NO_PAD
            .decode(payload)
            .ok()
            .and_then(|json| serde_json::from_slice(&json).ok())
            .ok_or(AppError::InvalidToken)?;
        if claims.expires_at() <= now_secs {
            return Err(AppError::InvalidToken);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Test {
        sub: String,
        exp: i64,
    }

    impl Claims for Test {
        fn expires_at(&self) -> i64 {
            self.exp
        }
    }

    fn claims(exp: i64) -> Test {
        Test {
            sub: "u1".into(),
            exp,
        }
    }

    #[test]
    fn signed_tokens_verify_until_they_expire() {
        let signer = Signer::new(b"key");
        let token = signer.sign(&claims(100));
        assert_eq!(signer.verify::<Test>(&token, 99).unwrap(), claims(100));
        assert_eq!(
            signer.verify::<Test>(&token, 100),
            Err(AppError::InvalidToken)
        );
    }

    #[test]
    fn tampered_or_foreign_tokens_are_refused() {
        let signer = Signer::new(b"key");
        let token = signer.sign(&claims(100));
        assert!(Signer::new(b"other").verify::<Test>(&token, 0).is_err());
        let forged_payload = URL_SAFE_NO_PAD.encode(br#"{"sub":"admin","exp":100}"#);
        let header = token.split('.').next().unwrap();
        let signature = token.rsplit('.').next().unwrap();
        assert!(
            signer
                .verify::<Test>(&format!("{header}.{forged_payload}.{signature}"), 0)
                .is_err()
        );
        assert!(signer.verify::<Test>("not.a.token", 0).is_err());
        assert!(signer.verify::<Test>("", 0).is_err());
    }
}
