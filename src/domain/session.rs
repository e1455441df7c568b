//! Session and note values: the closed vocabularies and the instants they are scheduled at.

use chrono::{DateTime, NaiveDateTime, Timelike};

use crate::problem::FieldError;

crate::vocabulary! {
    /// How a session is held.
    pub enum Modality { InPerson = "in_person", Telehealth = "telehealth", Phone = "phone" }
}
crate::vocabulary! {
    /// A session's state. Only `scheduled` moves, and only to one of the others.
    pub enum SessionStatus { Scheduled = "scheduled", Completed = "completed", Cancelled = "cancelled", NoShow = "no_show" }
}
crate::vocabulary! {
    /// The counselor's assessment of risk in a mediation note.
    pub enum RiskLevel { None = "none", Low = "low", Moderate = "moderate", High = "high" }
}
crate::vocabulary! {
    /// A mediation note is a draft until its author signs it; then it is locked for good.
    pub enum NoteStatus { Draft = "draft", Signed = "signed" }
}

pub const MIN_DURATION: i32 = 15;
pub const MAX_DURATION: i32 = 240;

/// Session length in minutes, 15..=240.
pub fn duration(field: &str, minutes: i32) -> Result<i32, FieldError> {
    if (MIN_DURATION..=MAX_DURATION).contains(&minutes) {
        Ok(minutes)
    } else {
        Err(FieldError::new(field, format!("must be from {MIN_DURATION} to {MAX_DURATION} minutes")))
    }
}

/// The JSON Schema pattern that goes with `format: date-time`: the years [`instant`] keeps.
pub const INSTANT_PATTERN: &str = r"^(19|2[0-9])[0-9]{2}-";

/// An RFC 3339 instant with an offset, as UTC truncated to microseconds (what both stores keep).
/// Exactly JSON Schema's `date-time` (no surrounding space, `T` between date and time) in the
/// years 1900 to 2999 as written ([`INSTANT_PATTERN`]; a typo guard).
pub fn instant(field: &str, value: &str) -> Result<NaiveDateTime, FieldError> {
    let bad = || FieldError::new(field, "must be an RFC 3339 instant such as 2026-11-25T14:00:00Z");
    if !matches!(value.as_bytes().get(10), Some(b'T' | b't')) {
        return Err(bad());
    }
    let parsed = DateTime::parse_from_rfc3339(value).map_err(|_| bad())?;
    if !(1900..=2999).contains(&chrono::Datelike::year(&parsed)) {
        return Err(FieldError::new(field, "must be between the years 1900 and 2999"));
    }
    let utc = parsed.naive_utc();
    Ok(utc.with_nanosecond(utc.nanosecond() / 1000 * 1000).unwrap_or(utc))
}

/// An instant as a cursor key part (exact to the microsecond, sorts as it compares).
pub fn key(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
}

/// The inverse of [`key`]; `None` for a forged or garbled key.
pub fn parse_key(s: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.6f").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants() {
        let t = instant("s", "2026-11-25T15:00:00+01:00").unwrap();
        assert_eq!(key(t), "2026-11-25T14:00:00.000000");
        assert_eq!(parse_key(&key(t)), Some(t));
        assert_eq!(key(instant("s", "2026-11-25T14:00:00.123456789Z").unwrap()), "2026-11-25T14:00:00.123456");
        for bad in [
            "",
            "2026-02-30T10:00:00Z",
            "2026-11-25 14:00",
            "2026-11-25 14:00:00Z",
            " 2026-11-25T14:00:00Z",
            "2026-11-25T14:00:00",
            "tomorrow",
            "0001-01-01T00:00:00Z",
        ] {
            assert!(instant("s", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn durations() {
        assert!(duration("d", 14).is_err());
        assert!(duration("d", 15).is_ok());
        assert!(duration("d", 240).is_ok());
        assert!(duration("d", 241).is_err());
    }

    #[test]
    fn vocabularies_round_trip() {
        for s in ["in_person", "telehealth", "phone"] {
            assert_eq!(Modality::parse(s).unwrap().as_str(), s);
        }
        assert_eq!(SessionStatus::parse("no_show"), Some(SessionStatus::NoShow));
        assert_eq!(RiskLevel::parse("severe"), None);
    }
}
