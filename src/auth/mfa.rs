//! Checking a second factor: a TOTP code (once per time step) or a recovery code (once).

use rand::Rng;

use crate::auth::sealed::SealKey;
use crate::auth::totp;
use crate::db::AnyConnection;
use crate::problem::AppResult;
use crate::store::mfa;

/// Recovery codes a user gets when turning MFA on.
pub const RECOVERY_CODES: usize = 10;

/// Whether `code` is the user's current TOTP code, not used before; accepting it marks its time
/// step used (in the caller's transaction), so a replay within its window is refused.
pub fn accept_totp(conn: &mut AnyConnection, sealing: &SealKey, user_id: &str, code: &str) -> AppResult<bool> {
    let Some(row) = mfa::find(conn, user_id)? else { return Ok(false) };
    if row.enabled_at.is_none() {
        return Ok(false);
    }
    check_and_accept(conn, sealing, user_id, &row.secret, code)
}

/// [`accept_totp`] against a secret (enabled or pending): the code's step must be later than the
/// last one accepted.
pub fn check_and_accept(
    conn: &mut AnyConnection,
    sealing: &SealKey,
    user_id: &str,
    sealed: &str,
    code: &str,
) -> AppResult<bool> {
    let Some(secret) = sealing.open(user_id, sealed) else {
        tracing::warn!(user.id = %user_id, "a TOTP secret does not open (was MEND_JWT_SECRET changed?)");
        return Ok(false);
    };
    let Some(step) = totp::verify(&secret, code, chrono::Utc::now().timestamp()) else { return Ok(false) };
    Ok(mfa::accept_step(conn, user_id, step)?)
}

/// A recovery code as it is hashed: lower case, without spaces or hyphens.
pub fn normalize_recovery(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect()
}

/// New recovery codes, as shown to the user (`xxxxx-xxxxx`, 50 random bits each).
pub fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let mut rng = rand::rngs::OsRng;
    (0..RECOVERY_CODES)
        .map(|_| {
            let chars: String = (0..10).map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())])).collect();
            format!("{}-{}", &chars[..5], &chars[5..])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_distinct_and_normalize() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let set: std::collections::BTreeSet<_> = codes.iter().collect();
        assert_eq!(set.len(), RECOVERY_CODES);
        assert_eq!(normalize_recovery(" ABCDE-fghij "), "abcdefghij");
    }
}
