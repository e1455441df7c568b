//! A completed assessment's score as a FHIR `Observation` (category `survey`), derived from its
//! `QuestionnaireResponse`, with the instrument's range and whether the score is below the cutoff.

use super::model::{Observation, ObservationReferenceRange, Quantity};
use super::questionnaire_response::Completed;
use super::{coding, concept, instant, meta, reference, systems, text_concept};

const CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";

fn points(value: i32) -> Quantity {
    Quantity { value: f64::from(value), ..Quantity::default() }
}

pub fn observation(c: &Completed<'_>) -> Observation {
    let code = concept(
        vec![coding(systems::INSTRUMENT, c.instrument.key, Some(c.instrument.title))],
        Some(&format!("{} total score", c.instrument.title)),
    );
    let (low, high) = c.instrument.range();
    let range = ObservationReferenceRange {
        low: points(low),
        high: points(high),
        text: format!("{low} to {high}; below {} suggests clinical concern", c.instrument.cutoff),
    };
    let band = c.instrument.band(c.score).replace('_', " ");
    Observation {
        id: c.row.id.to_string(),
        meta: meta(c.row.version, c.row.updated_at),
        status: "final",
        category: vec![concept(vec![coding(CATEGORY, "survey", Some("Survey"))], None)],
        code,
        subject: reference("Patient", &c.row.client_id),
        effective_date_time: instant(c.completed_at),
        issued: instant(c.completed_at),
        value_integer: c.score,
        interpretation: vec![text_concept(&band)],
        reference_range: vec![range],
        derived_from: vec![reference("QuestionnaireResponse", &c.row.id)],
    }
}
