//! The worklist's vocabulary: what can need a counselor now, and "today" in a practice's zone.

use chrono::{DateTime, NaiveDate, Utc};

crate::vocabulary! {
    /// Why an item is on a counselor's worklist. Each disappears when its cause is gone:
    /// `letter_submitted` (a partner's letter waits for review), `note_unsigned` (a draft note of
    /// the caller's), `session_needs_note` (a completed session of the caller's without a signed
    /// note), `session_needs_status` (still `scheduled` an hour after it ended),
    /// `summary_unshared` (a completed session with a draft summary), `assessment_overdue`
    /// (pending past `due_on`), `assessment_completed` (completed in the last 7 days),
    /// `checkin_broken` (a boundary check-in with `kept: false` in the last 7 days),
    /// `boundary_review_due` (`review_on` has come), `consent_unsigned` (the couple's current
    /// confidentiality policy lacks a partner's signature), `release_ready` (authorized, not yet
    /// disclosed, not expired).
    pub enum WorkKind {
        LetterSubmitted = "letter_submitted",
        NoteUnsigned = "note_unsigned",
        SessionNeedsNote = "session_needs_note",
        SessionNeedsStatus = "session_needs_status",
        SummaryUnshared = "summary_unshared",
        AssessmentOverdue = "assessment_overdue",
        AssessmentCompleted = "assessment_completed",
        CheckinBroken = "checkin_broken",
        BoundaryReviewDue = "boundary_review_due",
        ConsentUnsigned = "consent_unsigned",
        ReleaseReady = "release_ready",
    }
}

/// What "today" is at `now` in every time zone, so one statement can pick the practice's day
/// without a round trip for its zone: the UTC date, and the zones (as `,name,name,` lists)
/// whose date is the day after or the day before it. Every zone is within a day of UTC.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZoneDays {
    pub utc: NaiveDate,
    pub ahead: String,
    pub behind: String,
}

impl ZoneDays {
    /// [`ZoneDays::compute`] for `now`'s minute, computed once per minute per process (every
    /// zone's offset changes on a whole minute; 600 zones' offsets were the worklist's largest
    /// cost in Mend's own time). The cache is a pure function of the clock: instances share
    /// nothing through it.
    pub fn at(now: DateTime<Utc>) -> std::sync::Arc<ZoneDays> {
        use std::sync::{Arc, Mutex};
        static CACHE: Mutex<Option<(i64, Arc<ZoneDays>)>> = Mutex::new(None);
        let minute = now.timestamp().div_euclid(60);
        if let Ok(cached) = CACHE.lock() {
            if let Some((at, days)) = cached.as_ref() {
                if *at == minute {
                    return days.clone();
                }
            }
        }
        let days = Arc::new(ZoneDays::compute(now));
        if let Ok(mut cached) = CACHE.lock() {
            *cached = Some((minute, days.clone()));
        }
        days
    }

    /// Every zone's date at `now`, against UTC's.
    pub fn compute(now: DateTime<Utc>) -> ZoneDays {
        let utc = now.date_naive();
        let (mut ahead, mut behind) = (String::from(","), String::from(","));
        for tz in chrono_tz::TZ_VARIANTS {
            let day = now.with_timezone(&tz).date_naive();
            let list = match day.cmp(&utc) {
                std::cmp::Ordering::Greater => &mut ahead,
                std::cmp::Ordering::Less => &mut behind,
                std::cmp::Ordering::Equal => continue,
            };
            list.push_str(tz.name());
            list.push(',');
        }
        ZoneDays { utc, ahead, behind }
    }

    /// The date in `zone` (UTC's for a zone it does not know), as the statement decides it.
    pub fn today_in(&self, zone: &str) -> NaiveDate {
        let needle = format!(",{zone},");
        if self.ahead.contains(&needle) {
            self.utc.succ_opt().unwrap_or(self.utc)
        } else if self.behind.contains(&needle) {
            self.utc.pred_opt().unwrap_or(self.utc)
        } else {
            self.utc
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn zone_days_agree_with_chrono_tz() {
        for hour in [0, 5, 11, 12, 18, 23] {
            let now = Utc.with_ymd_and_hms(2026, 12, 6, hour, 30, 0).unwrap();
            let days = ZoneDays::compute(now);
            let cached = ZoneDays::at(now);
            for zone in ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago", "America/New_York", "Asia/Tokyo"] {
                let tz: chrono_tz::Tz = zone.parse().unwrap();
                assert_eq!(days.today_in(zone), now.with_timezone(&tz).date_naive(), "{zone} at {hour}h");
                assert_eq!(cached.today_in(zone), days.today_in(zone), "{zone} at {hour}h, cached");
            }
        }
    }
}
