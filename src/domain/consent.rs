//! Domain values for the confidentiality policy and releases of records: the policy's kinds,
//! the kinds of records a release may carry, and a release's status (with `expired` computed
//! from the calendar, never stored).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

crate::typed_ids! {
    /// A release of records.
    ReleaseId;
}

/// What the couple agreed about secrets between individual and joint work.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PolicyKind {
    NoSecrets,
    LimitedSecrets,
    Accommodation,
}

impl PolicyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyKind::NoSecrets => "no_secrets",
            PolicyKind::LimitedSecrets => "limited_secrets",
            PolicyKind::Accommodation => "accommodation",
        }
    }

    pub fn parse(s: &str) -> Option<PolicyKind> {
        match s {
            "no_secrets" => Some(PolicyKind::NoSecrets),
            "limited_secrets" => Some(PolicyKind::LimitedSecrets),
            "accommodation" => Some(PolicyKind::Accommodation),
            _ => None,
        }
    }
}

/// A kind of record a release may carry (mediation notes are a separate, explicit flag).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Sessions,
    Summaries,
    Boundaries,
    Milestones,
    Activities,
    Letters,
    Assessments,
}

impl RecordKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Sessions => "sessions",
            RecordKind::Summaries => "summaries",
            RecordKind::Boundaries => "boundaries",
            RecordKind::Milestones => "milestones",
            RecordKind::Activities => "activities",
            RecordKind::Letters => "letters",
            RecordKind::Assessments => "assessments",
        }
    }

    pub fn parse(s: &str) -> Option<RecordKind> {
        [
            RecordKind::Sessions,
            RecordKind::Summaries,
            RecordKind::Boundaries,
            RecordKind::Milestones,
            RecordKind::Activities,
            RecordKind::Letters,
            RecordKind::Assessments,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

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

/// Where a release stands. `expired` is never stored: a pending or authorized release whose
/// `expires_on` is before today reads as expired.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseStatus {
    Pending,
    Authorized,
    Disclosed,
    Revoked,
    Expired,
}

impl ReleaseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReleaseStatus::Pending => "pending",
            ReleaseStatus::Authorized => "authorized",
            ReleaseStatus::Disclosed => "disclosed",
            ReleaseStatus::Revoked => "revoked",
            ReleaseStatus::Expired => "expired",
        }
    }

    /// The status a reader sees today, from the stored one and the expiry date.
    pub fn effective(stored: &str, expires_on: &str, today: NaiveDate) -> ReleaseStatus {
        let stored = match stored {
            "authorized" => ReleaseStatus::Authorized,
            "disclosed" => ReleaseStatus::Disclosed,
            "revoked" => ReleaseStatus::Revoked,
            _ => ReleaseStatus::Pending,
        };
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
        assert_eq!(ReleaseStatus::effective("pending", "2026-12-01", today), ReleaseStatus::Pending);
        assert_eq!(ReleaseStatus::effective("pending", "2026-11-30", today), ReleaseStatus::Expired);
        assert_eq!(ReleaseStatus::effective("authorized", "2026-11-30", today), ReleaseStatus::Expired);
        assert_eq!(ReleaseStatus::effective("disclosed", "2026-11-30", today), ReleaseStatus::Disclosed);
        assert_eq!(ReleaseStatus::effective("revoked", "2026-11-30", today), ReleaseStatus::Revoked);
    }

    #[test]
    fn kinds_round_trip() {
        let kinds = [RecordKind::Sessions, RecordKind::Letters];
        assert_eq!(RecordKind::from_json(&RecordKind::to_json(&kinds)), kinds);
        assert_eq!(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
