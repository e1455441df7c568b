//! TOTP secrets at rest: sealed with AES-256-GCM under a key derived from `MEND_JWT_SECRET`
//! (HMAC-SHA-256 of a fixed label), the user's id as associated data. A database dump alone
//! gives no secret away, and a sealed secret copied onto another user's row does not open.
//! Every instance shares `MEND_JWT_SECRET`, so every instance opens what another sealed.
//! Changing `MEND_JWT_SECRET` makes the stored secrets unreadable: those users turn MFA on again
//! (an admin resets it, `POST /users/{id}/mfa/reset`).

use base64::Engine;
use rand::RngCore;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::hmac;

use crate::config::Secret;

const LABEL: &[u8] = b"mend totp secret sealing key v1";
const PREFIX: &str = "v1.";

#[derive(Clone)]
pub struct SealKey(std::sync::Arc<LessSafeKey>);

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealKey([redacted])")
    }
}

impl SealKey {
    /// Runs once, at start. HMAC-SHA-256 takes a key of any length and gives 32 bytes, exactly an
    /// AES-256 key; should the library ever refuse it, start-up reports it and Mend does not serve.
    pub fn derive(secret: &Secret) -> Result<SealKey, String> {
        let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, secret.expose()), LABEL);
        let unbound = UnboundKey::new(&AES_256_GCM, tag.as_ref())
            .map_err(|_| "cannot derive the key that seals two-factor secrets".to_string())?;
        Ok(SealKey(std::sync::Arc::new(LessSafeKey::new(unbound))))
    }

    /// `v1.` + base64url(nonce ‖ ciphertext ‖ tag).
    pub fn seal(&self, user_id: &str, plain: &[u8]) -> Option<String> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let mut data = plain.to_vec();
        self.0
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(user_id.as_bytes()), &mut data)
            .ok()?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&data);
        Some(format!("{PREFIX}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(out)))
    }

    /// The plain bytes, if `sealed` was sealed for `user_id` under this key.
    pub fn open(&self, user_id: &str, sealed: &str) -> Option<Vec<u8>> {
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(sealed.strip_prefix(PREFIX)?).ok()?;
        if raw.len() < NONCE_LEN {
            return None;
        }
        let (nonce, rest) = raw.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut data = rest.to_vec();
        let plain = self.0.open_in_place(nonce, Aad::from(user_id.as_bytes()), &mut data).ok()?;
        Some(plain.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_the_same_hmac_sha_256_as_before() {
        // Secrets sealed before the derivation moved to ring's HMAC still open: same bytes.
        use ::hmac::Mac;
        let secret = b"0123456789abcdef0123456789abcdef";
        let mut mac = <::hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(secret).unwrap();
        mac.update(LABEL);
        let ring_tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, secret), LABEL);
        assert_eq!(&mac.finalize().into_bytes()[..], ring_tag.as_ref());
    }

    #[test]
    fn seals_and_opens_for_the_same_user_and_key_only() {
        let key = SealKey::derive(&Secret::new(b"0123456789abcdef0123456789abcdef".to_vec())).expect("key");
        let sealed = key.seal("user-a", b"twenty bytes secret!").unwrap();
        assert!(!sealed.contains("twenty"));
        assert_eq!(key.open("user-a", &sealed).as_deref(), Some(&b"twenty bytes secret!"[..]));
        assert_eq!(key.open("user-b", &sealed), None);
        let other = SealKey::derive(&Secret::new(b"another-secret-of-at-least-32-bytes!".to_vec())).expect("key");
        assert_eq!(other.open("user-a", &sealed), None);
        assert_eq!(key.open("user-a", "v1.garbage"), None);
        assert_ne!(key.seal("user-a", b"x"), key.seal("user-a", b"x"), "a fresh nonce each time");
    }
}
