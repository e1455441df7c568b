//! Checked values of boundaries, milestones and accounts: titles, free text, calendar dates,
//! phases, positions, display names and passwords. Like `value.rs`, each states its rule once
//! (`parse`, `check` for request DTOs, and its JSON Schema).

use std::borrow::Cow;

use chrono::NaiveDate;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::RefOr;
use validator::ValidationError;

use super::trust::MAX_POSITION;
use super::value::DATE_PATTERN;
use super::{date, text, trust};
use crate::domain::rules::rule;

crate::checked_text! {
    /// A boundary's or milestone's title: 1 to 200 characters, not blank.
    Title: max 200, not_blank;
    /// A user's display name: 1 to 200 characters, not blank.
    DisplayName: max 200, not_blank;
    /// A practice's name: 1 to 200 characters, not blank.
    PracticeName: max 200, not_blank;
}

/// Declares free text types: any text of at most `max` characters (empty allowed).
macro_rules! free_text {
    ($($(#[doc = $doc:expr])* $name:ident: max $max:expr;)*) => {$(
        $(#[doc = $doc])*
        #[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, diesel::expression::AsExpression)]
        #[diesel(sql_type = diesel::sql_types::Text)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub const MAX: usize = $max;

            pub fn parse(value: impl Into<String>) -> Result<Self, Cow<'static, str>> {
                let value = value.into();
                if value.chars().count() > $max {
                    return Err(format!("must be at most {} characters", $max).into());
                }
                if value.contains('\0') {
                    return Err("must not contain the character U+0000".into());
                }
                Ok($name(value))
            }

            pub fn check(value: &str) -> Result<(), ValidationError> {
                $name::parse(value).map(drop).map_err(rule)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl<DB> diesel::serialize::ToSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut diesel::serialize::Output<'b, '_, DB>) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, DB>>::to_sql(self.0.as_str(), out)
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                let doc: &[&str] = &[$($doc.trim()),*];
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some(doc.join(" ")))
                    .max_length(Some($max))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}
    )*};
}

free_text! {
    /// A boundary's description: up to 5000 characters.
    BoundaryDescription: max 5000;
    /// A milestone's description: up to 2000 characters.
    MilestoneDescription: max 2000;
    /// A check-in's note: up to 2000 characters.
    CheckInNote: max 2000;
}

/// A real calendar date in the years 1900 to 2200, written and stored as `YYYY-MM-DD`
/// (a review date, a target date, the day a milestone was achieved).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, diesel::expression::AsExpression)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub struct CalendarDate {
    date: NaiveDate,
    text: String,
}

impl CalendarDate {
    pub fn parse(value: &str) -> Result<CalendarDate, Cow<'static, str>> {
        let date = date::parse("date", value).map_err(|e| Cow::Owned(e.message))?;
        Ok(CalendarDate { date, text: date.format("%Y-%m-%d").to_string() })
    }

    pub fn check(value: &str) -> Result<(), ValidationError> {
        CalendarDate::parse(value).map(drop).map_err(rule)
    }

    pub fn from_date(date: NaiveDate) -> CalendarDate {
        CalendarDate { date, text: date.format("%Y-%m-%d").to_string() }
    }

    pub fn date(&self) -> NaiveDate {
        self.date
    }

    /// `YYYY-MM-DD`, as stored.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl<DB> diesel::serialize::ToSql<diesel::sql_types::Text, DB> for CalendarDate
where
    DB: diesel::backend::Backend,
    str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
{
    fn to_sql<'b>(&'b self, out: &mut diesel::serialize::Output<'b, '_, DB>) -> diesel::serialize::Result {
        <str as diesel::serialize::ToSql<diesel::sql_types::Text, DB>>::to_sql(self.text.as_str(), out)
    }
}

impl utoipa::PartialSchema for CalendarDate {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("`YYYY-MM-DD`, a real calendar date."))
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
            .pattern(Some(DATE_PATTERN))
            .into()
    }
}

impl utoipa::ToSchema for CalendarDate {}

/// A phase key: 1 to 50 characters of a-z, 0-9, `-` and `_` (such as `amends`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, diesel::expression::AsExpression)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(transparent)]
pub struct Phase(String);

impl Phase {
    pub fn parse(value: impl Into<String>) -> Result<Phase, Cow<'static, str>> {
        let value = value.into();
        trust::phase("phase", &value).map_err(|e| Cow::Owned(e.message))?;
        Ok(Phase(value))
    }

    pub fn check(value: &str) -> Result<(), ValidationError> {
        Phase::parse(value).map(drop).map_err(rule)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<DB> diesel::serialize::ToSql<diesel::sql_types::Text, DB> for Phase
where
    DB: diesel::backend::Backend,
    str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
{
    fn to_sql<'b>(&'b self, out: &mut diesel::serialize::Output<'b, '_, DB>) -> diesel::serialize::Result {
        <str as diesel::serialize::ToSql<diesel::sql_types::Text, DB>>::to_sql(self.0.as_str(), out)
    }
}

impl utoipa::PartialSchema for Phase {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("A phase key: 1 to 50 characters of a-z, 0-9, `-` and `_` (such as `amends`)."))
            .min_length(Some(1))
            .max_length(Some(50))
            .pattern(Some(r"^[a-z0-9_-]{1,50}$"))
            .into()
    }
}

impl utoipa::ToSchema for Phase {}

/// A milestone's place in its plan: 0 to 1000000.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position(i32);

impl Position {
    pub fn parse(value: i32) -> Result<Position, Cow<'static, str>> {
        if (0..=MAX_POSITION).contains(&value) {
            Ok(Position(value))
        } else {
            Err(format!("must be from 0 to {MAX_POSITION}").into())
        }
    }

    pub fn check(value: i32) -> Result<(), ValidationError> {
        Position::parse(value).map(drop).map_err(rule)
    }

    /// Clamps into the range (positions computed from others).
    pub fn clamped(value: i32) -> Position {
        Position(value.clamp(0, MAX_POSITION))
    }

    pub fn get(self) -> i32 {
        self.0
    }
}

impl utoipa::PartialSchema for Position {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
            .description(Some("0 to 1000000."))
            .minimum(Some(0))
            .maximum(Some(MAX_POSITION))
            .into()
    }
}

impl utoipa::ToSchema for Position {}

/// A new password: 12 to 256 characters. Never logged, never stored (only its hash).
pub struct Password(String);

impl Password {
    pub fn parse(value: impl Into<String>) -> Result<Password, Cow<'static, str>> {
        let value = value.into();
        text::password("password", &value).map_err(|e| Cow::Owned(e.message))?;
        Ok(Password(value))
    }

    pub fn check(value: &str) -> Result<(), ValidationError> {
        Password::parse(value).map(drop).map_err(rule)
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(..)")
    }
}

impl utoipa::PartialSchema for Password {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("12 to 256 characters."))
            .min_length(Some(12))
            .max_length(Some(256))
            .into()
    }
}

impl utoipa::ToSchema for Password {}

/// An IANA time zone name, such as `Europe/Berlin` (the spec lists them all).
pub fn time_zone_check(value: &str) -> Result<(), ValidationError> {
    value.parse::<chrono_tz::Tz>().map(drop).map_err(|_| rule("must be an IANA time zone such as America/New_York"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values() {
        assert!(Title::parse("x".repeat(200)).is_ok());
        assert!(Title::parse(" ").is_err());
        assert!(BoundaryDescription::parse("").is_ok());
        assert!(BoundaryDescription::parse("x".repeat(5001)).is_err());
        assert!(CheckInNote::parse("é".repeat(2000)).is_ok());
        assert_eq!(CalendarDate::parse("2030-01-31").unwrap().as_str(), "2030-01-31");
        assert!(CalendarDate::parse("2026-02-29").is_err());
        assert!(Phase::parse("Amends").is_err());
        assert!(Position::parse(-1).is_err());
        assert_eq!(Position::clamped(2_000_000).get(), MAX_POSITION);
        assert!(Password::parse("short").is_err());
        assert!(time_zone_check("Europe/Berlin").is_ok());
        assert!(time_zone_check("Mars/Base").is_err());
    }
}
