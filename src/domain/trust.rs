//! Domain values for boundaries and milestones: statuses, calendar dates, phases.

use chrono::NaiveDate;

use crate::problem::FieldError;

crate::vocabulary! {
    /// Where a boundary stands. `retired` is final.
    pub enum BoundaryStatus { Proposed = "proposed", Active = "active", Revised = "revised", Retired = "retired" }
}

crate::vocabulary! {
    /// Where a milestone stands.
    pub enum MilestoneStatus { NotStarted = "not_started", InProgress = "in_progress", Achieved = "achieved", SetAside = "set_aside" }
}

/// A phase key: 1..=50 characters of `a-z`, `0-9`, `-` and `_` (templates use these, and
/// progress groups by them, so free text would split one phase into many).
pub fn phase(field: &str, value: &str) -> Result<(), FieldError> {
    let ok = !value.is_empty()
        && value.len() <= 50
        && value.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(FieldError::new(field, "must be 1 to 50 characters of a-z, 0-9, - and _ (such as `amends`)"))
    }
}

/// Positions of milestones: 0..=1,000,000.
pub const MAX_POSITION: i32 = 1_000_000;

/// Today in a practice's time zone (UTC when the zone is unknown).
pub fn today_in(timezone: &str) -> NaiveDate {
    let now = chrono::Utc::now();
    match timezone.parse::<chrono_tz::Tz>() {
        Ok(tz) => now.with_timezone(&tz).date_naive(),
        Err(_) => now.date_naive(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases() {
        assert!(phase("p", "moving-forward").is_ok());
        for bad in ["", "Amends", "two words", &"x".repeat(51), "é"] {
            assert!(phase("p", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn statuses_round_trip() {
        for s in ["proposed", "active", "revised", "retired"] {
            assert_eq!(BoundaryStatus::parse(s).unwrap().as_str(), s);
        }
        for s in ["not_started", "in_progress", "achieved", "set_aside"] {
            assert_eq!(MilestoneStatus::parse(s).unwrap().as_str(), s);
        }
    }

    #[test]
    fn today_in_zones() {
        let utc = today_in("UTC");
        let far = today_in("Pacific/Kiritimati");
        assert!((far - utc).num_days().abs() <= 1);
        assert_eq!(today_in("Not/AZone"), utc);
    }
}
