//! Domain values for the confidentiality policy and releases of records: the policy's kinds,
//! the kinds of records a release may carry, and a release's status (with `expired` computed
//! from the calendar, never stored).

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

crate::typed_ids! {
    /// A release of records.
    ReleaseId;
}

crate::checked_text! {
    /// A confidentiality policy's text: 1 to 20,000 characters, not blank; each partner signs
    /// exactly this text.
    PolicyText: max 20000, not_blank;
    /// A name typed as a signature: 1 to 200 characters, not blank.
    SignedName: max 200, not_blank;
    /// Who receives released records: 1 to 200 characters, not blank.
    RecipientName: max 200, not_blank;
    /// The recipient's organization: 1 to 200 characters, not blank.
    Organization: max 200, not_blank;
    /// Why records are released: 1 to 2,000 characters, not blank.
    Purpose: max 2000, not_blank;
}

/// A calendar date `YYYY-MM-DD` (a release's window), as a `validator` custom function.
pub fn check_date(value: &str) -> Result<(), validator::ValidationError> {
    crate::domain::date::parse("date", value).map(drop).map_err(|e| crate::domain::rules::rule(e.message))
}

/// A release's last day: a calendar date, not before today (UTC).
pub fn check_expiry(value: &str) -> Result<(), validator::ValidationError> {
    let d = crate::domain::date::parse("expires_on", value).map_err(|e| crate::domain::rules::rule(e.message))?;
    if d < crate::domain::date::today() {
        return Err(crate::domain::rules::rule("must not be before today"));
    }
    Ok(())
}

/// Each kind at most once.
pub fn check_unique_kinds(kinds: &[RecordKind]) -> Result<(), validator::ValidationError> {
    let unique: std::collections::HashSet<RecordKind> = kinds.iter().copied().collect();
    if unique.len() == kinds.len() {
        Ok(())
    } else {
        Err(crate::domain::rules::rule("must not repeat a kind"))
    }
}

crate::vocabulary! {
    /// What the couple agreed about secrets between individual and joint work.
    pub enum PolicyKind { NoSecrets = "no_secrets", LimitedSecrets = "limited_secrets", Accommodation = "accommodation" }
}

crate::vocabulary! {
    /// A kind of record a release may carry (mediation notes are a separate, explicit flag).
    pub enum RecordKind {
        Sessions = "sessions",
        Summaries = "summaries",
        Boundaries = "boundaries",
        Milestones = "milestones",
        Activities = "activities",
        Letters = "letters",
        Assessments = "assessments",
    }
}

impl RecordKind {
    /// The stored form of a list of kinds: a JSON array of their names.
    pub fn to_json(kinds: &[RecordKind]) -> String {
        serde_json::to_string(kinds).unwrap_or_else(|_| "[]".into())
    }

    /// Reads the stored form back; names it does not know are dropped (never widened).
    pub fn from_json(s: &str) -> Vec<RecordKind> {
        let names: Vec<String> = serde_json::from_str(s).unwrap_or_default();
        names.iter().filter_map(|n| RecordKind::parse(n)).collect()
    }
}

crate::vocabulary! {
    /// Where a release stands. `expired` is never stored: a pending or authorized release whose
    /// `expires_on` is before today reads as expired.
    pub enum ReleaseStatus {
        Pending = "pending",
        Authorized = "authorized",
        Disclosed = "disclosed",
        Revoked = "revoked",
        Expired = "expired",
    }
}

impl ReleaseStatus {
    /// The status a reader sees today, from the stored one and the expiry date.
    pub fn effective(stored: ReleaseStatus, expires_on: &str, today: NaiveDate) -> ReleaseStatus {
        let open = matches!(stored, ReleaseStatus::Pending | ReleaseStatus::Authorized);
        if open && is_past(expires_on, today) {
            ReleaseStatus::Expired
        } else {
            stored
        }
    }
}

/// Is the date (`YYYY-MM-DD`) before `today`? An unreadable date counts as past (closed).
pub fn is_past(date: &str, today: NaiveDate) -> bool {
    NaiveDate::parse_from_str(date, "%Y-%m-%d").map_or(true, |d| d < today)
}

/// The SHA-256 of exactly the text signed, as lower-case hex.
pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Today as stored dates compare: `YYYY-MM-DD` (text order is date order).
pub fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_is_computed() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(ReleaseStatus::effective(ReleaseStatus::Pending, "2026-12-01", today), ReleaseStatus::Pending);
        assert_eq!(ReleaseStatus::effective(ReleaseStatus::Pending, "2026-11-30", today), ReleaseStatus::Expired);
        assert_eq!(ReleaseStatus::effective(ReleaseStatus::Authorized, "2026-11-30", today), ReleaseStatus::Expired);
        assert_eq!(ReleaseStatus::effective(ReleaseStatus::Disclosed, "2026-11-30", today), ReleaseStatus::Disclosed);
        assert_eq!(ReleaseStatus::effective(ReleaseStatus::Revoked, "2026-11-30", today), ReleaseStatus::Revoked);
    }

    #[test]
    fn kinds_round_trip() {
        let kinds = [RecordKind::Sessions, RecordKind::Letters];
        assert_eq!(RecordKind::from_json(&RecordKind::to_json(&kinds)), kinds);
        assert_eq!(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
