//! Calendar dates as the API carries them: `YYYY-MM-DD`, stored as that same text.

use chrono::{Datelike, NaiveDate};

use crate::problem::FieldError;

/// The years Mend accepts (a typo guard, not a rule about people or plans).
const EARLIEST_YEAR: i32 = 1900;
const LATEST_YEAR: i32 = 2200;

/// A real calendar date written exactly as `YYYY-MM-DD` (`1990-02-30` and `1990-2-3` are not).
pub fn parse(field: &str, value: &str) -> Result<NaiveDate, FieldError> {
    let bad = || FieldError::new(field, "must be a calendar date written YYYY-MM-DD");
    let b = value.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return Err(bad());
    }
    let date = NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| bad())?;
    if !(EARLIEST_YEAR..=LATEST_YEAR).contains(&date.year()) {
        return Err(FieldError::new(field, format!("must be in the years {EARLIEST_YEAR} to {LATEST_YEAR}")));
    }
    Ok(date)
}

/// An optional date field: checked when present.
pub fn optional(field: &str, value: Option<&str>) -> Result<(), FieldError> {
    value.map_or(Ok(()), |v| parse(field, v).map(|_| ()))
}

/// A date that is not after `today` (a birth date, the start of a relationship).
pub fn past(field: &str, value: &str, today: NaiveDate) -> Result<String, FieldError> {
    let date = parse(field, value)?;
    if date > today {
        return Err(FieldError::new(field, "must not be in the future"));
    }
    Ok(date.format("%Y-%m-%d").to_string())
}

/// Today in UTC.
pub fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// An instant as RFC 3339 UTC.
pub fn instant(t: chrono::NaiveDateTime) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::<chrono::Utc>::from_naive_utc_and_offset(t, chrono::Utc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        assert_eq!(past("d", "1990-02-28", today).unwrap(), "1990-02-28");
        assert_eq!(past("d", "2000-02-29", today).unwrap(), "2000-02-29");
        assert_eq!(past("d", "2026-11-25", today).unwrap(), "2026-11-25");
        for bad in [
            "1990-02-30",
            "1990-13-01",
            "1990-2-3",
            "1990/02/03",
            "19900203",
            " 1990-02-03",
            "1990-02-03T00:00:00Z",
            "1899-12-31",
            "2026-11-26",
            "",
            "１９９０-02-03",
            "1990-02-3x",
            "1900-02-29",
        ] {
            assert!(past("d", bad, today).is_err(), "{bad}");
        }
    }
}
