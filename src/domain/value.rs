//! Domain values that can only hold valid text and dates. Each states its rule once: `parse`
//! (construction), `check` (the same rule as a `validator` custom function for request DTOs)
//! and its JSON Schema (`PartialSchema`), so a DTO field documents itself with
//! `#[schema(value_type = Name)]` and never repeats a length or a pattern by hand.

use std::borrow::Cow;

use chrono::NaiveDate;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::RefOr;
use validator::ValidationError;

use super::{date, text};
use crate::domain::rules::rule;

/// Declares checked text types: `Name: 1..=100, not blank`.
#[macro_export]
macro_rules! checked_text {
    ($($(#[doc = $doc:expr])* $name:ident: max $max:expr, $blank:ident;)*) => {$(
        $(#[doc = $doc])*
        #[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, diesel::expression::AsExpression)]
        #[diesel(sql_type = diesel::sql_types::Text)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub const MAX: usize = $max;

            /// The value, or the rule it breaks.
            pub fn parse(value: impl Into<String>) -> Result<Self, std::borrow::Cow<'static, str>> {
                let value = value.into();
                $crate::domain::value::text_rule(&value, $max, $crate::checked_text!(@blank $blank))?;
                Ok($name(value))
            }

            /// The rule as a `validator` custom function.
            pub fn check(value: &str) -> Result<(), validator::ValidationError> {
                $crate::domain::value::text_rule(value, $max, $crate::checked_text!(@blank $blank))
                    .map_err($crate::domain::rules::rule)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::problem::AppError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                $name::parse(value).map_err(|m| $crate::problem::AppError::field(stringify!($name), m))
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
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                let doc: &[&str] = &[$($doc.trim()),*];
                $crate::domain::value::text_schema($max, $crate::checked_text!(@blank $blank), &doc.join(" "))
            }
        }

        impl utoipa::ToSchema for $name {}
    )*};
    (@blank not_blank) => { false };
    (@blank may_be_blank) => { true };
}

/// 1..=max characters, and (unless `blank_ok`) not only white space.
pub fn text_rule(value: &str, max: usize, blank_ok: bool) -> Result<(), Cow<'static, str>> {
    if value.is_empty() || (!blank_ok && value.chars().all(text::is_schema_space)) {
        return Err("must not be blank".into());
    }
    if value.chars().count() > max {
        return Err(format!("must be at most {max} characters").into());
    }
    if value.contains('\0') {
        return Err("must not contain the character U+0000".into());
    }
    Ok(())
}

/// The schema of [`text_rule`]: `minLength` 1, `maxLength`, and `\S` when blanks are refused.
pub fn text_schema(max: usize, blank_ok: bool, description: &str) -> RefOr<Schema> {
    let mut b = ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .min_length(Some(1))
        .max_length(Some(max));
    if !blank_ok {
        b = b.pattern(Some(text::NOT_BLANK));
    }
    b.into()
}

checked_text! {
    /// A person's name (first, last, preferred) or pronouns: 1 to 100 characters, not blank,
    /// stored exactly as sent.
    Name: max 100, not_blank;
    /// A phone number: free text (extensions, country codes, spaces), 1 to 40 characters.
    Phone: max 40, not_blank;
    /// What brought a couple to counselling: 1 to 5,000 characters, not blank.
    Concern: max 5000, not_blank;
}

/// An email address, lower-cased (it becomes a login). One `@`, a dot inside the domain, no
/// white space or control characters, at most 254 characters.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, diesel::expression::AsExpression)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(value: &str) -> Result<Email, Cow<'static, str>> {
        text::email("email", value).map(Email).map_err(|e| e.message.into())
    }

    pub fn check(value: &str) -> Result<(), ValidationError> {
        Email::parse(value).map(drop).map_err(rule)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl<DB> diesel::serialize::ToSql<diesel::sql_types::Text, DB> for Email
where
    DB: diesel::backend::Backend,
    str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
{
    fn to_sql<'b>(&'b self, out: &mut diesel::serialize::Output<'b, '_, DB>) -> diesel::serialize::Result {
        <str as diesel::serialize::ToSql<diesel::sql_types::Text, DB>>::to_sql(self.0.as_str(), out)
    }
}

impl utoipa::PartialSchema for Email {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("An email address, stored lower-cased; at most 254 characters."))
            .max_length(Some(254))
            .pattern(Some(text::EMAIL_PATTERN))
            .into()
    }
}

impl utoipa::ToSchema for Email {}

/// The JSON Schema pattern of a calendar date Mend accepts (years 1900..=2200).
pub const DATE_PATTERN: &str = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$";

fn date_schema() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some("`YYYY-MM-DD`, a real date, not in the future."))
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
        .pattern(Some(DATE_PATTERN))
        .into()
}

/// A calendar date that is not after today (UTC): a birth date, the start of a relationship.
/// Written and stored as `YYYY-MM-DD`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, diesel::expression::AsExpression)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub struct PastDate {
    date: NaiveDate,
    /// `YYYY-MM-DD`, as stored (kept so the store can borrow it).
    text: String,
}

impl PastDate {
    pub fn parse(value: &str) -> Result<PastDate, Cow<'static, str>> {
        let text = date::past("date", value, date::today()).map_err(|e| Cow::Owned(e.message))?;
        let date = date::parse("date", &text).map_err(|e| Cow::Owned(e.message))?;
        Ok(PastDate { date, text })
    }

    pub fn check(value: &str) -> Result<(), ValidationError> {
        PastDate::parse(value).map(drop).map_err(rule)
    }

    pub fn date(&self) -> NaiveDate {
        self.date
    }

    /// `YYYY-MM-DD`, as stored.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl<DB> diesel::serialize::ToSql<diesel::sql_types::Text, DB> for PastDate
where
    DB: diesel::backend::Backend,
    str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
{
    fn to_sql<'b>(&'b self, out: &mut diesel::serialize::Output<'b, '_, DB>) -> diesel::serialize::Result {
        <str as diesel::serialize::ToSql<diesel::sql_types::Text, DB>>::to_sql(self.text.as_str(), out)
    }
}

impl utoipa::PartialSchema for PastDate {
    fn schema() -> RefOr<Schema> {
        date_schema()
    }
}

impl utoipa::ToSchema for PastDate {}

/// Turns a checked DTO field into its domain value. The DTO's `validate()` already ran the same
/// rule, so an error here means a DTO forgot its `#[validate]`: it still answers 422, never a 500.
pub fn parsed<T>(field: &str, result: Result<T, Cow<'static, str>>) -> Result<T, crate::problem::AppError> {
    result.map_err(|m| crate::problem::AppError::field(field, m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values() {
        assert!(Name::parse("Robert'); DROP TABLE clients;--").is_ok());
        assert!(Name::parse(" ").is_err());
        assert!(Name::parse("").is_err());
        assert!(Name::parse("é".repeat(100)).is_ok());
        assert!(Name::parse("é".repeat(101)).is_err());
        assert!(Phone::parse("1".repeat(41)).is_err());
        assert_eq!(Email::parse("A@B.co").unwrap().as_str(), "a@b.co");
        assert!(Email::parse(" a@b.co").is_err());
        assert_eq!(PastDate::parse("1990-02-28").unwrap().as_str(), "1990-02-28");
        assert!(PastDate::parse("2999-01-01").is_err());
        assert!(PastDate::parse("1990-02-30").is_err());
    }
}
