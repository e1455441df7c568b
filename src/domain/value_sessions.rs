//! Checked values of sessions and mediation notes (the companion of `value.rs` for this area):
//! each states its rule once, as `parse`, as `check` (a `validator` custom function) and as its
//! JSON Schema.

use std::borrow::Cow;

use chrono::NaiveDateTime;
use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, ObjectBuilder, Schema, SchemaFormat, SchemaType, Type};
use utoipa::openapi::RefOr;
use validator::ValidationError;

use super::session;
use super::value::{text_rule, text_schema};
use crate::domain::rules::rule;

crate::checked_text! {
    /// A session summary: 1 to 20,000 characters, not blank, stored exactly as sent.
    SummaryText: max 20000, not_blank;
    /// Why a session was cancelled: 1 to 2,000 characters, not blank.
    CancellationReason: max 2000, not_blank;
    /// The body of a mediation note or of an addendum: 1 to 50,000 characters, not blank,
    /// stored exactly as sent.
    NoteBody: max 50000, not_blank;
}

/// Items in a note's list of topics or agreements.
pub const MAX_ITEMS: usize = 50;

/// A reference id sent in a body or a query (`couple_id`, `counselor_id`...): a UUID written as
/// JSON Schema's `uuid` format has it (36 characters, hyphenated, either case). Checked here
/// (a 422 naming the field) rather than by the typed id's deserializer (a 400).
pub fn uuid_text(value: &str) -> Result<(), ValidationError> {
    if value.len() == 36 && uuid::Uuid::try_parse(value).is_ok() {
        Ok(())
    } else {
        Err(rule("must be a UUID"))
    }
}

/// Turns a reference id that [`uuid_text`] passed into its typed id (a 422 on `field` if a DTO
/// forgot the rule).
pub fn reference<T: std::str::FromStr>(field: &str, value: &str) -> Result<T, crate::problem::AppError> {
    value.parse().map_err(|_| crate::problem::AppError::field(field, "must be a UUID"))
}

/// An instant a session is scheduled at: RFC 3339 with an offset, kept as UTC truncated to
/// microseconds (what both stores keep), in the years 1900 to 2999 as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Instant(NaiveDateTime);

impl Instant {
    pub fn parse(value: &str) -> Result<Instant, Cow<'static, str>> {
        session::instant("instant", value).map(Instant).map_err(|e| Cow::Owned(e.message))
    }

    pub fn check(value: &str) -> Result<(), ValidationError> {
        Instant::parse(value).map(drop).map_err(rule)
    }

    /// UTC, as stored.
    pub fn utc(self) -> NaiveDateTime {
        self.0
    }
}

impl utoipa::PartialSchema for Instant {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("An RFC 3339 instant with an offset, e.g. `2026-11-25T14:00:00Z`; years 1900 to 2999."))
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
            .pattern(Some(session::INSTANT_PATTERN))
            .into()
    }
}

impl utoipa::ToSchema for Instant {}

/// How long a session lasts: 15 to 240 minutes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Minutes(i32);

impl Minutes {
    pub fn parse(minutes: i32) -> Result<Minutes, Cow<'static, str>> {
        session::duration("duration_minutes", minutes).map(Minutes).map_err(|e| Cow::Owned(e.message))
    }

    pub fn check(minutes: i32) -> Result<(), ValidationError> {
        Minutes::parse(minutes).map(drop).map_err(rule)
    }

    pub fn get(self) -> i32 {
        self.0
    }
}

impl utoipa::PartialSchema for Minutes {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
            .description(Some("Minutes, 15 to 240."))
            .minimum(Some(session::MIN_DURATION))
            .maximum(Some(session::MAX_DURATION))
            .into()
    }
}

impl utoipa::ToSchema for Minutes {}

/// Declares a checked list of short texts: at most [`MAX_ITEMS`] items of 1..=max characters,
/// not blank. Kept as the list it was sent (stored as JSON text).
macro_rules! text_list {
    ($($(#[doc = $doc:expr])* $name:ident: item max $max:expr;)*) => {$(
        $(#[doc = $doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Default)]
        pub struct $name(Vec<String>);

        impl $name {
            pub const ITEM_MAX: usize = $max;

            pub fn parse(values: Vec<String>) -> Result<$name, Cow<'static, str>> {
                list_rule(&values, $max)?;
                Ok($name(values))
            }

            pub fn check(values: &[String]) -> Result<(), ValidationError> {
                list_rule(values, $max).map_err(rule)
            }

            pub fn as_slice(&self) -> &[String] {
                &self.0
            }

            pub fn into_vec(self) -> Vec<String> {
                self.0
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                let doc: &[&str] = &[$($doc.trim()),*];
                list_schema($max, &doc.join(" "))
            }
        }

        impl utoipa::ToSchema for $name {}
    )*};
}

text_list! {
    /// A note's topics: at most 50, each 1 to 200 characters, not blank.
    Topics: item max 200;
    /// A note's agreements: at most 50, each 1 to 2,000 characters, not blank.
    Agreements: item max 2000;
}

fn list_rule(values: &[String], max: usize) -> Result<(), Cow<'static, str>> {
    if values.len() > MAX_ITEMS {
        return Err(format!("must have at most {MAX_ITEMS} items").into());
    }
    for v in values {
        text_rule(v, max, false).map_err(|m| Cow::Owned(format!("every item {m}")))?;
    }
    Ok(())
}

fn list_schema(item_max: usize, description: &str) -> RefOr<Schema> {
    let item = text_schema(item_max, false, "");
    let item = match item {
        RefOr::T(Schema::Object(mut o)) => {
            o.description = None;
            RefOr::T(Schema::Object(o))
        }
        other => other,
    };
    ArrayBuilder::new()
        .schema_type(SchemaType::new(Type::Array))
        .description(Some(description))
        .items(item)
        .max_items(Some(MAX_ITEMS))
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values() {
        assert!(uuid_text("67e55044-10b1-426f-9247-bb680e5fe0c8").is_ok());
        assert!(uuid_text("67e5504410b1426f9247bb680e5fe0c8").is_err());
        assert_eq!(
            Instant::parse("2026-11-25T15:00:00+01:00").unwrap().utc(),
            session::instant("s", "2026-11-25T14:00:00Z").unwrap()
        );
        assert!(Instant::parse("2026-11-25 14:00").is_err());
        assert!(Minutes::parse(14).is_err());
        assert_eq!(Minutes::parse(240).unwrap().get(), 240);
        assert!(Topics::parse(vec!["a".into(); 51]).is_err());
        assert_eq!(Topics::parse(vec![" ".into()]).unwrap_err(), "every item must not be blank");
        assert!(Agreements::parse(vec!["x".repeat(2000)]).is_ok());
        assert!(Topics::parse(vec!["x".repeat(201)]).is_err());
        assert!(NoteBody::parse("x".repeat(50_001)).is_err());
    }
}
