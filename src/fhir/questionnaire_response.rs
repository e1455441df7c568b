//! A completed assessment as a FHIR `QuestionnaireResponse`: each item's text and the value
//! answered (with its label). Pending and cancelled assessments have no response (404).

use std::collections::BTreeMap;

use chrono::NaiveDateTime;

use super::model::{QuestionnaireResponse, QuestionnaireResponseAnswer, QuestionnaireResponseItem};
use super::{coding, instant, meta, reference, systems};
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

pub fn questionnaire_response(c: &Completed<'_>) -> QuestionnaireResponse {
    let mut item = Vec::with_capacity(c.instrument.items.len());
    for question in c.instrument.items {
        let Some(value) = c.answers.get(question.id) else { continue };
        let label = question.options.iter().find(|o| o.value == *value).map(|o| o.label);
        let system = format!("{}/{}", questionnaire_url(c.instrument), question.id);
        item.push(QuestionnaireResponseItem {
            link_id: question.id.to_string(),
            text: question.text.to_string(),
            answer: vec![QuestionnaireResponseAnswer { value_coding: coding(&system, &value.to_string(), label) }],
        });
    }
    QuestionnaireResponse {
        id: c.row.id.to_string(),
        meta: meta(c.row.version, c.row.updated_at),
        questionnaire: questionnaire_url(c.instrument),
        status: "completed",
        subject: reference("Patient", &c.row.client_id),
        authored: instant(c.completed_at),
        source: reference("Patient", &c.row.client_id),
        item,
    }
}
