//! A completed assessment as a FHIR `QuestionnaireResponse`: each item's text and the value
//! answered (with its label). Pending and cancelled assessments have no response (404).

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use fhir_sdk::r4b::codes::QuestionnaireResponseStatus;
use fhir_sdk::r4b::resources::{
    QuestionnaireResponse, QuestionnaireResponseItem, QuestionnaireResponseItemAnswer,
    QuestionnaireResponseItemAnswerValue,
};

use super::{built, coding, date_time, each, meta, reference, systems};
use crate::domain::instruments::{self, Instrument};
use crate::problem::{AppError, AppResult};
use crate::store::assessments::AssessmentRow;

/// An assessment that was answered and scored: only [`Completed::of`] makes one.
pub struct Completed<'a> {
    pub row: &'a AssessmentRow,
    pub instrument: &'static Instrument,
    pub answers: BTreeMap<String, i32>,
    pub score: i32,
    pub completed_at: NaiveDateTime,
}

impl<'a> Completed<'a> {
    /// The completed assessment, or `NotFound` (the caller's 404) for a pending or cancelled
    /// one: it has no response and no score yet.
    pub fn of(row: &'a AssessmentRow) -> AppResult<Completed<'a>> {
        if row.status != "completed" {
            return Err(AppError::NotFound);
        }
        let instrument = instruments::find(&row.instrument)
            .ok_or_else(|| AppError::internal("an assessment names an instrument that is not built in"))?;
        match (row.answers(), row.score, row.completed_at) {
            (Some(answers), Some(score), Some(completed_at)) => {
                Ok(Completed { row, instrument, answers, score, completed_at })
            }
            _ => Err(AppError::internal("a completed assessment without its answers, score or time")),
        }
    }
}

/// The questionnaire's canonical URL (a name for the instrument; Mend does not serve it).
pub fn questionnaire_url(instrument: &Instrument) -> String {
    format!("{}/{}", systems::QUESTIONNAIRE, instrument.key)
}

pub fn questionnaire_response(c: &Completed<'_>) -> AppResult<QuestionnaireResponse> {
    let mut items = Vec::with_capacity(c.instrument.items.len());
    for item in c.instrument.items {
        let Some(value) = c.answers.get(item.id) else { continue };
        let label = item.options.iter().find(|o| o.value == *value).map(|o| o.label);
        let code = coding(&format!("{}/{}", questionnaire_url(c.instrument), item.id), &value.to_string(), label)?;
        let answer = built(
            QuestionnaireResponseItemAnswer::builder()
                .value(QuestionnaireResponseItemAnswerValue::Coding(code))
                .build(),
        )?;
        items.push(built(
            QuestionnaireResponseItem::builder()
                .link_id(item.id.to_string())
                .text(item.text.to_string())
                .answer(each([answer]))
                .build(),
        )?);
    }
    built(
        QuestionnaireResponse::builder()
            .id(c.row.id.to_string())
            .meta(meta(c.row.version, c.row.updated_at)?)
            .questionnaire(questionnaire_url(c.instrument))
            .status(QuestionnaireResponseStatus::Completed)
            .subject(reference("Patient", &c.row.client_id)?)
            .source(reference("Patient", &c.row.client_id)?)
            .authored(date_time(c.completed_at)?)
            .item(each(items))
            .build(),
    )
}
