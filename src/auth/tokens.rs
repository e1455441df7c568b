//! Access tokens (JWT, HS256 only, 15 minutes) and opaque tokens (refresh and invite tokens:
//! 256 random bits, stored only as SHA-256 hashes).

use base64::Engine;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::Secret;
use crate::domain::Role;

pub const ISSUER: &str = "mend";
pub const AUDIENCE: &str = "mend-api";
pub const ACCESS_TTL_SECONDS: i64 = 15 * 60;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    pub role: Role,
    /// The practice.
    pub pid: String,
    /// The login (refresh-token family) this access token belongs to.
    pub sid: String,
    /// Role `client`: the client record the user is (checked against the user row on use).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cid: Option<String>,
    /// Staff whose practice requires two-factor sign-in and who have not turned it on (when the
    /// token was issued): such a token reaches only `/me*` and `/auth/*` (403
    /// `mfa-enrollment-required` elsewhere). A practice that starts to require it ends those
    /// users' logins, so no older token lacks the flag.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub mfa_due: bool,
}

#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl TokenKeys {
    pub fn new(secret: &Secret) -> TokenKeys {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        TokenKeys {
            encoding: EncodingKey::from_secret(secret.expose()),
            decoding: DecodingKey::from_secret(secret.expose()),
            validation,
        }
    }

    /// A signed access token and its lifetime in seconds.
    pub fn issue_access(
        &self,
        user_id: &str,
        role: Role,
        practice_id: &str,
        client_id: Option<&str>,
        family_id: &str,
    ) -> Result<(String, i64), String> {
        self.issue_access_with(user_id, role, practice_id, client_id, family_id, false)
    }

    /// [`issue_access`](Self::issue_access), saying whether MFA enrolment is due.
    pub fn issue_access_with(
        &self,
        user_id: &str,
        role: Role,
        practice_id: &str,
        client_id: Option<&str>,
        family_id: &str,
        mfa_due: bool,
    ) -> Result<(String, i64), String> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: user_id.into(),
            exp: now + ACCESS_TTL_SECONDS,
            iat: now,
            jti: uuid::Uuid::new_v4().to_string(),
            role,
            pid: practice_id.into(),
            sid: family_id.into(),
            cid: client_id.map(String::from),
            mfa_due,
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map(|t| (t, ACCESS_TTL_SECONDS))
            .map_err(|e| e.to_string())
    }

    /// The claims of a valid access token; `None` for anything else (expired, forged, other
    /// algorithm, wrong issuer or audience, a refresh token...).
    pub fn verify(&self, token: &str) -> Option<Claims> {
        decode::<Claims>(token, &self.decoding, &self.validation).ok().map(|d| d.claims)
    }
}

/// The token of an `Authorization: Bearer <token>` header; `None` for any other scheme or none.
/// The scheme is case-insensitive (RFC 9110 11.1: `Bearer`, `bearer`, `BEARER`), and one or more
/// spaces may follow it. The one place a request's bearer token is read (the actor extractors
/// and the Idempotency-Key middleware agree on who is calling).
pub fn bearer(headers: &actix_web::http::header::HeaderMap) -> Option<&str> {
    let value = headers.get(actix_web::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim_start_matches(' ');
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// A new opaque token and the hash to store.
pub fn new_opaque() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_opaque(&token);
    (token, hash)
}

pub fn hash_opaque(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> TokenKeys {
        TokenKeys::new(&Secret::new(b"0123456789abcdef0123456789abcdef".to_vec()))
    }

    #[test]
    fn round_trip() {
        let k = keys();
        let (t, ttl) = k.issue_access("u", Role::Counselor, "p", None, "f").unwrap();
        assert_eq!(ttl, 900);
        let c = k.verify(&t).unwrap();
        assert_eq!(c.sub, "u");
        assert_eq!(c.role, Role::Counselor);
    }

    #[test]
    fn other_key_or_garbage_fails() {
        let (t, _) = keys().issue_access("u", Role::Admin, "p", None, "f").unwrap();
        let other = TokenKeys::new(&Secret::new(b"another-secret-of-at-least-32-bytes!".to_vec()));
        assert!(other.verify(&t).is_none());
        assert!(keys().verify("garbage").is_none());
        let (opaque, _) = new_opaque();
        assert!(keys().verify(&opaque).is_none());
    }

    #[test]
    fn bearer_scheme_is_case_insensitive() {
        use actix_web::http::header::{HeaderMap, HeaderValue, AUTHORIZATION};
        let of = |v: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(AUTHORIZATION, HeaderValue::from_static(v));
            bearer(&h).map(String::from)
        };
        for v in ["Bearer abc", "bearer abc", "BEARER abc", "bEaReR   abc"] {
            assert_eq!(of(v).as_deref(), Some("abc"), "{v}");
        }
        for v in ["Basic abc", "Bearer", "Bearer ", "Bearerabc", "abc"] {
            assert_eq!(of(v), None, "{v}");
        }
        assert_eq!(bearer(&HeaderMap::new()), None);
    }

    #[test]
    fn opaque_tokens_are_long_and_hashed() {
        let (t, h) = new_opaque();
        assert_eq!(t.len(), 43);
        assert_eq!(h, hash_opaque(&t));
        assert_ne!(t, h);
    }
}
