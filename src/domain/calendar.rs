//! A bound of a calendar query (`GET /sessions?from=&to=`): an RFC 3339 instant, or a calendar
//! date (`YYYY-MM-DD`) read in the practice's time zone. A date as `from` is the start of that
//! day there; as `to` it includes the whole day (the bound is the start of the next day).

use std::borrow::Cow;

use chrono::{NaiveDate, NaiveDateTime, TimeZone};
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, OneOfBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::RefOr;
use validator::ValidationError;

use super::value_sessions::Instant;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CalendarBound {
    /// An instant, UTC.
    At(NaiveDateTime),
    /// A calendar date in the practice's time zone.
    Day(NaiveDate),
}

impl CalendarBound {
    pub fn parse(value: &str) -> Result<CalendarBound, Cow<'static, str>> {
        if value.len() == 10 {
            return super::date::parse("date", value)
                .map(CalendarBound::Day)
                .map_err(|_| Cow::Borrowed("must be a calendar date YYYY-MM-DD or an RFC 3339 instant"));
        }
        Instant::parse(value).map(|i| CalendarBound::At(i.utc()))
    }

    pub fn check(value: &str) -> Result<(), ValidationError> {
        CalendarBound::parse(value).map(drop).map_err(|m| ValidationError::new("rule").with_message(m))
    }

    pub fn is_day(&self) -> bool {
        matches!(self, CalendarBound::Day(_))
    }

    /// As a lower bound (inclusive): the instant, or the start of the day in `zone`.
    pub fn start(self, zone: &str) -> NaiveDateTime {
        match self {
            CalendarBound::At(t) => t,
            CalendarBound::Day(d) => start_of_day(d, zone),
        }
    }

    /// As an upper bound (exclusive): the instant, or the start of the next day in `zone`
    /// (so the day itself is included).
    pub fn end(self, zone: &str) -> NaiveDateTime {
        match self {
            CalendarBound::At(t) => t,
            CalendarBound::Day(d) => start_of_day(d.succ_opt().unwrap_or(d), zone),
        }
    }
}

/// The first instant of `day` in `zone` (UTC for a zone it does not know). Where midnight does
/// not exist (a daylight-saving jump at 00:00), the day starts at the first instant that does.
fn start_of_day(day: NaiveDate, zone: &str) -> NaiveDateTime {
    let midnight = day.and_time(chrono::NaiveTime::MIN);
    let Ok(tz) = zone.parse::<chrono_tz::Tz>() else { return midnight };
    (0..=3)
        .find_map(|h| tz.from_local_datetime(&(midnight + chrono::Duration::hours(h))).earliest())
        .map_or(midnight, |t| t.naive_utc())
}

impl utoipa::PartialSchema for CalendarBound {
    fn schema() -> RefOr<Schema> {
        // One of two written forms, each with its format and pattern, so a client (or a fuzzer)
        // knows an empty or free-form bound is not one.
        let day = ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
            .pattern(Some(super::value::DATE_PATTERN));
        OneOfBuilder::new()
            .item(day)
            .item(<Instant as utoipa::PartialSchema>::schema())
            .description(Some(
                "An RFC 3339 instant (`2026-11-25T14:00:00Z`) or a calendar date (`2026-11-25`) read in the \
                 practice's time zone: as `from` the start of that day, as `to` the whole day included.",
            ))
            .into()
    }
}

impl utoipa::ToSchema for CalendarBound {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_in_the_zone() {
        let d = CalendarBound::parse("2026-12-10").unwrap();
        assert!(d.is_day());
        let ny = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        assert_eq!(d.start("America/New_York"), ny("2026-12-10 05:00"));
        assert_eq!(d.end("America/New_York"), ny("2026-12-11 05:00"));
        assert_eq!(d.start("UTC"), ny("2026-12-10 00:00"));
        // Midnight did not exist in Santiago on 2022-09-11 (clocks went from 00:00 to 01:00).
        let jump = CalendarBound::parse("2022-09-11").unwrap();
        assert_eq!(jump.start("America/Santiago"), ny("2022-09-11 04:00"));
        assert!(CalendarBound::parse("2026-02-30").is_err());
        assert!(CalendarBound::parse("2026-12-10T10:00:00Z").is_ok());
        assert!(CalendarBound::parse("yesterday").is_err());
    }
}
