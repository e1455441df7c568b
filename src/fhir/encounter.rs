//! A session as a FHIR `Encounter`: `class` AMB in person, VR (virtual) for telehealth and phone;
//! the status mapped; the counselor as primary performer; the period; the couple's `Group` or
//! the client's `Patient` as subject. Neither the summary nor any note is part of it.

use fhir_sdk::r4b::codes::EncounterStatus;
use fhir_sdk::r4b::resources::Encounter;
use fhir_sdk::r4b::resources::EncounterParticipant;
use fhir_sdk::r4b::types::Duration;

use super::{built, coding, concept, date_time, each, logical_reference, meta, period, reference, systems};
use crate::domain::session::{Modality, SessionStatus};
use crate::problem::AppResult;
use crate::store::sessions::{SessionRow, Subject};

/// FHIR R4 has no `no-show` status (R5 does): a missed session did not happen, `cancelled`.
fn status(s: SessionStatus) -> EncounterStatus {
    match s {
        SessionStatus::Scheduled => EncounterStatus::Planned,
        SessionStatus::Completed => EncounterStatus::Finished,
        SessionStatus::Cancelled | SessionStatus::NoShow => EncounterStatus::Cancelled,
    }
}

/// The reference to whom a session (or anything else of a couple or client) is about.
pub fn subject(s: &Subject) -> AppResult<fhir_sdk::r4b::types::Reference> {
    match s {
        Subject::Couple(id) => reference("Group", id),
        Subject::Client(id) => reference("Patient", id),
    }
}

pub fn encounter(row: &SessionRow) -> AppResult<Encounter> {
    let class = match row.modality {
        Modality::InPerson => coding(systems::ACT_CODE, "AMB", Some("ambulatory"))?,
        Modality::Telehealth | Modality::Phone => coding(systems::ACT_CODE, "VR", Some("virtual"))?,
    };
    let counselor = built(
        EncounterParticipant::builder()
            .r#type(each([concept(vec![coding(systems::PARTICIPATION, "PPRF", Some("primary performer"))?], None)?]))
            .individual(logical_reference("Practitioner", systems::USER_ID, &row.counselor_id)?)
            .build(),
    )?;
    let length = built(
        Duration::builder()
            .value(f64::from(row.duration_minutes))
            .unit("min".to_string())
            .system(systems::UCUM.to_string())
            .code("min".to_string())
            .build(),
    )?;
    built(
        Encounter::builder()
            .id(row.id.to_string())
            .meta(meta(row.version, row.updated_at)?)
            .status(status(row.status))
            .class(class)
            .subject(subject(&row.subject()?)?)
            .participant(each([counselor]))
            .period(period(Some(date_time(row.starts_at)?), Some(date_time(row.ends_at)?))?)
            .length(length)
            .build(),
    )
}
