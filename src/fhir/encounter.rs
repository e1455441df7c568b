//! A session as a FHIR `Encounter`: `class` AMB in person, VR (virtual) for telehealth and phone;
//! the status mapped; the counselor as primary performer; the period; the couple's `Group` or
//! the client's `Patient` as subject. Neither the summary nor any note is part of it.

use super::model::{Encounter, EncounterParticipant, Quantity, Reference};
use super::{coding, concept, instant, logical_reference, meta, period, reference, systems};
use crate::domain::session::{Modality, SessionStatus};
use crate::problem::AppResult;
use crate::store::sessions::{SessionRow, Subject};

/// FHIR R4 has no `no-show` status (R5 does): a missed session did not happen, `cancelled`.
fn status(s: SessionStatus) -> &'static str {
    match s {
        SessionStatus::Scheduled => "planned",
        SessionStatus::Completed => "finished",
        SessionStatus::Cancelled | SessionStatus::NoShow => "cancelled",
    }
}

/// The reference to whom a session (or anything else of a couple or client) is about.
fn subject(s: &Subject) -> Reference {
    match s {
        Subject::Couple(id) => reference("Group", id),
        Subject::Client(id) => reference("Patient", id),
    }
}

pub fn encounter(row: &SessionRow) -> AppResult<Encounter> {
    let class = match row.modality {
        Modality::InPerson => coding(systems::ACT_CODE, "AMB", Some("ambulatory")),
        Modality::Telehealth | Modality::Phone => coding(systems::ACT_CODE, "VR", Some("virtual")),
    };
    let counselor = EncounterParticipant {
        kind: vec![concept(vec![coding(systems::PARTICIPATION, "PPRF", Some("primary performer"))], None)],
        individual: logical_reference("Practitioner", systems::USER_ID, &row.counselor_id),
    };
    let length = Quantity {
        value: f64::from(row.duration_minutes),
        unit: Some("min"),
        system: Some(systems::UCUM),
        code: Some("min"),
    };
    Ok(Encounter {
        id: row.id.to_string(),
        meta: meta(row.version, row.updated_at),
        status: status(row.status),
        class,
        subject: subject(&row.subject()?),
        participant: vec![counselor],
        period: period(Some(instant(row.starts_at)), Some(instant(row.ends_at))),
        length,
    })
}
