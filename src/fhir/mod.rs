//! FHIR R4 (read-only): Mend's records as FHIR resources, for `/fhir/R4`.
//!
//! One module per resource maps the rows (or views) that the JSON API's scoped store queries
//! return into Mend's own FHIR R4 types (`model`). Nothing in this module reads the database:
//! the handlers in `api::fhir` do, with the same queries and the same audit as the JSON API, so
//! FHIR is no new access path. No mapping takes a mediation note or a session summary: those
//! never leave through FHIR.

pub mod bundle;
pub mod capability;
pub mod careplan;
pub mod consent;
pub mod docs;
pub mod encounter;
pub mod goal;
pub mod group;
pub mod model;
pub mod observation;
pub mod outcome;
pub mod patient;
pub mod questionnaire_response;

use actix_web::http::header;
use actix_web::HttpResponse;
use chrono::{NaiveDate, NaiveDateTime, Timelike};

use crate::problem::{AppError, AppResult};
use model::{CodeableConcept, Coding, Identifier, Meta, Period, Reference, Resource};

/// The media type of every FHIR answer, errors included.
pub const FHIR_JSON: &str = "application/fhir+json";
/// Where the FHIR API is mounted.
pub const BASE: &str = "/fhir/R4";
/// The FHIR version served (R4).
pub const FHIR_VERSION: &str = "4.0.1";

/// Mend's own code systems and identifier systems (canonical URLs; they name, they do not resolve).
pub mod systems {
    pub const USER_ID: &str = "https://mend.dev/fhir/sid/user-id";
    pub const PHASE: &str = "https://mend.dev/fhir/CodeSystem/trust-repair-phase";
    pub const INSTRUMENT: &str = "https://mend.dev/fhir/CodeSystem/instrument";
    pub const RECORD_KIND: &str = "https://mend.dev/fhir/CodeSystem/record-kind";
    pub const QUESTIONNAIRE: &str = "https://mend.dev/fhir/Questionnaire";
    pub const ACT_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
    pub const PARTICIPATION: &str = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";
    pub const UCUM: &str = "http://unitsofmeasure.org";
}

/// A stored UTC instant as a FHIR `instant` (and `dateTime`): RFC 3339 in UTC, its fraction of a
/// second without trailing zeros, none when whole (`2026-12-06T15:00:00Z`, `…:00.25Z`).
pub fn instant(at: NaiveDateTime) -> String {
    let whole = at.format("%Y-%m-%dT%H:%M:%S").to_string();
    let nanos = at.nanosecond() % 1_000_000_000;
    if nanos == 0 {
        return format!("{whole}Z");
    }
    let fraction = format!("{nanos:09}");
    format!("{whole}.{}Z", fraction.trim_end_matches('0'))
}

/// A stored calendar day (`YYYY-MM-DD`) as a FHIR `date`; anything else is a bug of the row (500).
pub fn date(day: &str) -> AppResult<String> {
    NaiveDate::parse_from_str(day, "%Y-%m-%d").map(|d| d.format("%Y-%m-%d").to_string()).map_err(AppError::internal)
}

/// A literal reference to a resource served here: `Patient/{id}`.
pub fn reference(resource_type: &str, id: &str) -> Reference {
    Reference { reference: Some(format!("{resource_type}/{id}")), ..Reference::default() }
}

/// A logical reference to a resource Mend does not serve (a counselor as `Practitioner`): the
/// user's id as an identifier, so nothing dangles.
pub fn logical_reference(resource_type: &str, system: &str, value: &str) -> Reference {
    Reference {
        kind: Some(resource_type.to_string()),
        identifier: Some(Identifier { system: system.to_string(), value: value.to_string() }),
        ..Reference::default()
    }
}

pub fn coding(system: &str, code: &str, display: Option<&str>) -> Coding {
    Coding { system: Some(system.to_string()), code: Some(code.to_string()), display: display.map(str::to_string) }
}

/// A concept of codings and, optionally, a text.
pub fn concept(coding: Vec<Coding>, text: Option<&str>) -> CodeableConcept {
    CodeableConcept { coding, text: text.map(str::to_string) }
}

/// A concept that is only text.
pub fn text_concept(text: &str) -> CodeableConcept {
    concept(Vec::new(), Some(text))
}

pub fn period(start: Option<String>, end: Option<String>) -> Period {
    Period { start, end }
}

/// `meta.versionId` (the record's `version`) and `meta.lastUpdated`.
pub fn meta(version: i64, updated_at: NaiveDateTime) -> Meta {
    Meta { version_id: version.to_string(), last_updated: instant(updated_at) }
}

/// 200 with a resource as `application/fhir+json`; a read of a versioned record carries the
/// weak ETag FHIR uses (`W/"<versionId>"`).
pub fn respond(resource: impl Into<Resource>, version: Option<i64>) -> AppResult<HttpResponse> {
    let body = serde_json::to_string(&resource.into()).map_err(AppError::internal)?;
    let mut resp = HttpResponse::Ok();
    resp.insert_header((header::CONTENT_TYPE, FHIR_JSON));
    if let Some(v) = version {
        resp.insert_header((header::ETAG, format!("W/\"{v}\"")));
    }
    Ok(resp.body(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(micros: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, 6).unwrap().and_hms_micro_opt(15, 4, 5, micros).unwrap()
    }

    #[test]
    fn an_instant_is_utc_with_the_fraction_it_has() {
        assert_eq!(instant(at(0)), "2026-12-06T15:04:05Z");
        assert_eq!(instant(at(250_000)), "2026-12-06T15:04:05.25Z");
        assert_eq!(instant(at(123_456)), "2026-12-06T15:04:05.123456Z");
        assert_eq!(instant(at(100)), "2026-12-06T15:04:05.0001Z");
    }

    #[test]
    fn a_date_is_a_calendar_day_or_an_error() {
        assert_eq!(date("2026-02-28").unwrap(), "2026-02-28");
        assert!(date("2026-02-30").is_err());
        assert!(date("2026-2-3x").is_err());
        assert!(date("").is_err());
    }
}
