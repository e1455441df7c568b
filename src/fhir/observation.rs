//! A completed assessment's score as a FHIR `Observation` (category `survey`), derived from its
//! `QuestionnaireResponse`, with the instrument's range and whether the score is below the cutoff.

use fhir_sdk::r4b::codes::ObservationStatus;
use fhir_sdk::r4b::resources::{Observation, ObservationEffective, ObservationReferenceRange, ObservationValue};
use fhir_sdk::r4b::types::Quantity;

use super::questionnaire_response::Completed;
use super::{built, coding, concept, date_time, each, instant, meta, reference, systems, text_concept};
use crate::problem::AppResult;

const CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";

fn points(value: f64) -> AppResult<Quantity> {
    built(Quantity::builder().value(value).build())
}

pub fn observation(c: &Completed<'_>) -> AppResult<Observation> {
    let code = concept(
        vec![coding(systems::INSTRUMENT, c.instrument.key, Some(c.instrument.title))?],
        Some(&format!("{} total score", c.instrument.title)),
    )?;
    let (low, high) = c.instrument.range();
    let range = built(
        ObservationReferenceRange::builder()
            .low(points(f64::from(low))?)
            .high(points(f64::from(high))?)
            .text(format!("{low} to {high}; below {} suggests clinical concern", c.instrument.cutoff))
            .build(),
    )?;
    let band = c.instrument.band(c.score).replace('_', " ");
    built(
        Observation::builder()
            .id(c.row.id.to_string())
            .meta(meta(c.row.version, c.row.updated_at)?)
            .status(ObservationStatus::Final)
            .category(each([concept(vec![coding(CATEGORY, "survey", Some("Survey"))?], None)?]))
            .code(code)
            .subject(reference("Patient", &c.row.client_id)?)
            .effective(ObservationEffective::DateTime(date_time(c.completed_at)?))
            .issued(instant(c.completed_at)?)
            .value(ObservationValue::Integer(c.score))
            .interpretation(each([text_concept(&band)?]))
            .reference_range(each([range]))
            .derived_from(each([reference("QuestionnaireResponse", &c.row.id)?]))
            .build(),
    )
}
