//! Outcome measures: built-in questionnaires, assessments a counselor assigns to each partner
//! (or to a client), the answers scored on the server, and each partner's scores over time.

pub mod create;
pub mod instruments;
pub mod list;
pub mod measures;
pub mod read;
pub mod respond;

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{IntoParams, PartialSchema, ToSchema};
use validator::Validate;

use crate::domain::instruments::{Instrument, INSTRUMENTS};
use crate::problem::{AppError, AppResult};

/// A built-in instrument's key (the schema lists every key of `INSTRUMENTS`).
pub struct InstrumentKey;

impl PartialSchema for InstrumentKey {
    fn schema() -> RefOr<Schema> {
        let keys: Vec<&str> = INSTRUMENTS.iter().map(|i| i.key).collect();
        ObjectBuilder::new().schema_type(Type::String).enum_values(Some(keys)).into()
    }
}

impl ToSchema for InstrumentKey {}

const NOT_BUILT_IN: &str = "is not a built-in instrument";

/// The instrument with this key, or a 422 naming `field`.
pub(crate) fn instrument(field: &str, key: &str) -> AppResult<&'static Instrument> {
    crate::domain::instruments::find(key).ok_or_else(|| AppError::field(field, NOT_BUILT_IN))
}

/// A DTO rule: the key of a built-in instrument.
pub(crate) fn built_in(key: &str) -> Result<(), validator::ValidationError> {
    crate::domain::instruments::find(key).map(drop).ok_or_else(|| crate::extract::rule(NOT_BUILT_IN))
}

/// The answers of a response, in the order given, repeats kept (a JSON object may repeat a key;
/// scoring refuses that, naming the item, instead of silently keeping one).
pub struct Answers(pub Vec<(String, i64)>);

impl<'de> Deserialize<'de> for Answers {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Answers;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of item id to integer value")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Answers, M::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, i64>()? {
                    out.push((k, v));
                }
                Ok(Answers(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// One instrument's answers: every item, each value one of its options, nothing else.
fn answers_schema(i: &Instrument) -> Schema {
    let mut o = ObjectBuilder::new()
        .title(Some(i.key))
        .description(Some(format!("Answers to {}: item id -> value", i.title)))
        .additional_properties(Some(utoipa::openapi::schema::AdditionalProperties::FreeForm(false)));
    for item in i.items {
        let values: Vec<i32> = item.options.iter().map(|c| c.value).collect();
        o = o
            .property(item.id, ObjectBuilder::new().schema_type(Type::Integer).enum_values(Some(values)))
            .required(item.id);
    }
    Schema::Object(o.build())
}

impl PartialSchema for Answers {
    fn schema() -> RefOr<Schema> {
        match INSTRUMENTS {
            [one] => answers_schema(one).into(),
            many => many.iter().fold(OneOfBuilder::new(), |b, i| b.item(answers_schema(i))).into(),
        }
    }
}

impl ToSchema for Answers {}

/// Answers to an assessment's questionnaire. Checked against the assessment's instrument once it
/// is loaded (`score`), so no DTO rule here: which items are valid depends on the assessment.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RespondRequest {
    pub answers: Answers,
}

/// A paper form entered by the counselor: the answers, and the day the partner filled it in.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaperFormRequest {
    pub answers: Answers,
    /// The day the form was filled in (`YYYY-MM-DD`, not after today in the practice's time
    /// zone); the point's date in measures and the chart. Default: the day it is entered.
    #[schema(format = Date, pattern = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub completed_on: Option<String>,
}

/// Scores `answers` on the instrument: the answers as stored, and the score; a 422 naming every
/// missing, unknown, repeated or out-of-range item otherwise.
pub(crate) fn score(
    instrument: &Instrument,
    answers: &Answers,
) -> AppResult<(BTreeMap<String, i32>, crate::domain::instruments::Scored)> {
    let scored = instrument.score(&answers.0).map_err(AppError::Validation)?;
    let stored = answers.0.iter().map(|(k, v)| (k.clone(), *v as i32)).collect();
    Ok((stored, scored))
}

#[derive(Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only this instrument's assessments.
    #[param(value_type = Option<InstrumentKey>)]
    #[validate(custom(function = "built_in"))]
    pub instrument: Option<String>,
    /// 1 to 100, default 25.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

impl ListQuery {
    /// The instrument filter, checked.
    pub fn instrument(&self) -> AppResult<Option<&'static str>> {
        self.instrument.as_deref().map(|k| instrument("instrument", k).map(|i| i.key)).transpose()
    }
}
