//! Time-based one-time passwords (RFC 6238 over RFC 4226): HMAC-SHA-1, 6 digits, 30-second
//! steps, one step of drift either way. What authenticator apps expect by default.
//!
//! A code is accepted once: [`verify`] answers the time step it matched, and the caller stores
//! it and refuses any code of that step or an earlier one (RFC 6238, section 5.2).

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha1::Sha1;

/// Seconds a code lasts.
pub const STEP: i64 = 30;
/// Digits of a code.
pub const DIGITS: u32 = 6;
/// Bytes of a new secret (160 bits, the size RFC 4226 recommends for HMAC-SHA-1).
const SECRET_BYTES: usize = 20;

/// A new random secret.
pub fn new_secret() -> Vec<u8> {
    let mut bytes = vec![0u8; SECRET_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes
}

/// RFC 4226 HOTP: the `digits`-digit code of `counter`.
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> u32 {
    // HMAC accepts a key of any length; `new_from_slice` cannot fail for it.
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret) else { return u32::MAX };
    mac.update(&counter.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = usize::from(hash[hash.len() - 1] & 0x0f);
    let binary = u32::from_be_bytes([hash[offset] & 0x7f, hash[offset + 1], hash[offset + 2], hash[offset + 3]]);
    binary % 10u32.pow(digits)
}

/// The time step of a Unix time.
pub fn step_of(unix: i64) -> i64 {
    unix.div_euclid(STEP)
}

/// The code of a time step, as the user types it (leading zeros kept).
pub fn code_at(secret: &[u8], step: i64) -> String {
    format!("{:0width$}", hotp(secret, step as u64, DIGITS), width = DIGITS as usize)
}

/// The step `code` belongs to, if it is the code of the current step or one step either side.
/// Anything that is not six ASCII digits is no code. Compared in constant time.
pub fn verify(secret: &[u8], code: &str, unix: i64) -> Option<i64> {
    let code = code.trim();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = step_of(unix);
    let mut found = None;
    for step in [now - 1, now, now + 1] {
        if constant_eq(code_at(secret, step).as_bytes(), code.as_bytes()) {
            found = Some(step);
        }
    }
    found
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding (the form authenticator apps take).
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    for chunk in bytes.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let n = buf.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        let chars = (chunk.len() * 8).div_ceil(5);
        for i in 0..chars {
            out.push(char::from(BASE32[((n >> (35 - 5 * i)) & 31) as usize]));
        }
    }
    out
}

/// The `otpauth://` URI an authenticator app reads (usually from a QR code).
pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    let label: String = url::form_urlencoded::byte_serialize(format!("{issuer}:{account}").as_bytes()).collect();
    let issuer_q: String = url::form_urlencoded::byte_serialize(issuer.as_bytes()).collect();
    format!(
        "otpauth://totp/{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP}",
        label.replace('+', "%20"),
        base32(secret),
        issuer_q.replace('+', "%20")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238, Appendix B: the SHA-1 rows (8 digits, seed "12345678901234567890").
    #[test]
    fn rfc_6238_vectors() {
        let seed = b"12345678901234567890";
        let rows: [(i64, u32); 6] = [
            (59, 94_287_082),
            (1_111_111_109, 7_081_804),
            (1_111_111_111, 14_050_471),
            (1_234_567_890, 89_005_924),
            (2_000_000_000, 69_279_037),
            (20_000_000_000, 65_353_130),
        ];
        for (time, expected) in rows {
            assert_eq!(hotp(seed, step_of(time) as u64, 8), expected, "T = {time}");
            // The 6-digit code is the same number's last six digits.
            let six = format!("{:06}", expected % 1_000_000);
            assert_eq!(code_at(seed, step_of(time)), six);
            assert_eq!(verify(seed, &six, time), Some(step_of(time)));
        }
    }

    /// RFC 4226, Appendix D: HOTP values for counters 0..9.
    #[test]
    fn rfc_4226_vectors() {
        let seed = b"12345678901234567890";
        let expected = [755_224, 287_082, 359_152, 969_429, 338_314, 254_676, 287_922, 162_583, 399_871, 520_489];
        for (counter, code) in expected.iter().enumerate() {
            assert_eq!(hotp(seed, counter as u64, 6), *code);
        }
    }

    #[test]
    fn one_step_of_drift_and_no_more() {
        let secret = new_secret();
        let t = 1_700_000_000;
        let now = step_of(t);
        assert_eq!(verify(&secret, &code_at(&secret, now - 1), t), Some(now - 1));
        assert_eq!(verify(&secret, &code_at(&secret, now + 1), t), Some(now + 1));
        // Two steps away is refused, unless by chance it equals a code of the window.
        let far = code_at(&secret, now - 2);
        if ![now - 1, now, now + 1].iter().any(|s| code_at(&secret, *s) == far) {
            assert_eq!(verify(&secret, &far, t), None);
        }
        for bad in ["", "12345", "1234567", "12345a", "１２３４５６"] {
            assert_eq!(verify(&secret, bad, t), None, "{bad:?}");
        }
    }

    #[test]
    fn base32_is_rfc_4648() {
        assert_eq!(base32(b""), "");
        assert_eq!(base32(b"f"), "MY");
        assert_eq!(base32(b"fo"), "MZXQ");
        assert_eq!(base32(b"foo"), "MZXW6");
        assert_eq!(base32(b"foob"), "MZXW6YQ");
        assert_eq!(base32(b"fooba"), "MZXW6YTB");
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
    }

    #[test]
    fn the_uri_names_issuer_and_account() {
        let uri = otpauth_uri("Mend", "a+b@example.org", b"12345678901234567890");
        assert_eq!(
            uri,
            "otpauth://totp/Mend%3Aa%2Bb%40example.org?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Mend&algorithm=SHA1&digits=6&period=30"
        );
    }
}
