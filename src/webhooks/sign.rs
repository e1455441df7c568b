//! Standard Webhooks 1.0 signatures: `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`,
//! keyed with the bytes of the secret after `whsec_` (base64-decoded).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

const PREFIX: &str = "whsec_";

/// A new secret: `whsec_` + base64 of 32 random bytes.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{PREFIX}{}", STANDARD.encode(bytes))
}

/// The HMAC key of a secret; `None` when it is not `whsec_` + base64.
fn key(secret: &str) -> Option<Vec<u8>> {
    STANDARD.decode(secret.strip_prefix(PREFIX)?).ok()
}

fn mac(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Option<Hmac<Sha256>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(&key(secret)?).ok()?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(mac)
}

/// One `v1,<signature>` entry.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    let mac = mac(secret, id, timestamp, body)?;
    Some(format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes())))
}

/// The `webhook-signature` header: one entry per valid secret, separated by spaces.
pub fn header(secrets: &[&str], id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    let entries: Option<Vec<String>> = secrets.iter().map(|s| sign(s, id, timestamp, body)).collect();
    entries.map(|e| e.join(" "))
}

/// Does any `v1` entry of `header` verify with `secret`? (Constant-time comparison; the
/// timestamp tolerance is the receiver's business.)
pub fn verify(secret: &str, id: &str, timestamp: i64, body: &[u8], header: &str) -> bool {
    header.split(' ').filter_map(|e| e.split_once(',')).filter(|(v, _)| *v == "v1").any(|(_, sig)| {
        let Ok(sig) = STANDARD.decode(sig) else { return false };
        mac(secret, id, timestamp, body).is_some_and(|m| m.verify_slice(&sig).is_ok())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The published test vector of Standard Webhooks' reference library
    /// (standard-webhooks/standard-webhooks, `libraries/rust/src/lib.rs`, `test_sign`).
    #[test]
    fn published_test_vector() {
        let secret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
        let body = br#"{"email":"test@example.com","username":"test_user"}"#;
        let signed = sign(secret, "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk", 1649367553, body).unwrap();
        assert_eq!(signed, "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=");
        assert!(verify(secret, "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk", 1649367553, body, &signed));
        assert!(!verify(secret, "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk", 1649367554, body, &signed));
        assert!(!verify(secret, "msg_other", 1649367553, body, &signed));
    }

    #[test]
    fn two_secrets_during_rotation() {
        let (old, new) = (new_secret(), new_secret());
        assert!(new.starts_with("whsec_") && STANDARD.decode(&new[6..]).unwrap().len() == 32);
        let h = header(&[&new, &old], "evt", 1, b"{}").unwrap();
        assert_eq!(h.split(' ').count(), 2);
        assert!(verify(&old, "evt", 1, b"{}", &h) && verify(&new, "evt", 1, b"{}", &h));
        assert!(!verify(&new_secret(), "evt", 1, b"{}", &h));
        assert!(sign("not-a-secret", "evt", 1, b"{}").is_none());
    }
}
