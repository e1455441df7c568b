//! FHIR R4 (read-only): Mend's records as FHIR resources, for `/fhir/R4`.
//!
//! One module per resource maps the rows (or views) that the JSON API's scoped store queries
//! return into the resource types of `fhir-sdk` (its R4B models, which for every resource served
//! here are R4). Nothing in this module reads the database: the handlers in `api::fhir` do, with
//! the same queries and the same audit as the JSON API, so FHIR is no new access path. No mapping
//! takes a mediation note or a session summary: those never leave through FHIR.

pub mod bundle;
pub mod capability;
pub mod careplan;
pub mod consent;
pub mod docs;
pub mod encounter;
pub mod goal;
pub mod group;
pub mod observation;
pub mod outcome;
pub mod patient;
pub mod questionnaire_response;

use actix_web::http::header;
use actix_web::HttpResponse;
use chrono::NaiveDateTime;
use fhir_sdk::r4b::types::{CodeableConcept, Coding, Identifier, Meta, Period, Reference};
use fhir_sdk::{BuilderError, Date, DateTime, Instant};
use serde::Serialize;

use crate::problem::{AppError, AppResult};

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

/// A builder's result: a missing required element is a bug of the mapping, so a 500.
pub fn built<T>(result: Result<T, BuilderError>) -> AppResult<T> {
    result.map_err(AppError::internal)
}

/// A stored UTC instant as a FHIR `instant`.
pub fn instant(at: NaiveDateTime) -> AppResult<Instant> {
    let nanos = i128::from(at.and_utc().timestamp_micros()) * 1000;
    fhir_sdk::time::OffsetDateTime::from_unix_timestamp_nanos(nanos).map(Instant).map_err(AppError::internal)
}

/// A stored UTC instant as a FHIR `dateTime`.
pub fn date_time(at: NaiveDateTime) -> AppResult<DateTime> {
    instant(at).map(DateTime::DateTime)
}

/// A stored calendar day (`YYYY-MM-DD`) as a FHIR `date`.
pub fn date(day: &str) -> AppResult<Date> {
    day.parse::<Date>().map_err(AppError::internal)
}

/// A literal reference to a resource served here: `Patient/{id}`.
pub fn reference(resource_type: &str, id: &str) -> AppResult<Reference> {
    built(Reference::builder().reference(format!("{resource_type}/{id}")).build())
}

/// A logical reference to a resource Mend does not serve (a counselor as `Practitioner`): the
/// user's id as an identifier, so nothing dangles.
pub fn logical_reference(resource_type: &str, system: &str, value: &str) -> AppResult<Reference> {
    let identifier = built(Identifier::builder().system(system.to_string()).value(value.to_string()).build())?;
    built(Reference::builder().r#type(resource_type.to_string()).identifier(identifier).build())
}

pub fn coding(system: &str, code: &str, display: Option<&str>) -> AppResult<Coding> {
    let mut b = Coding::builder().system(system.to_string()).code(code.to_string());
    if let Some(d) = display {
        b = b.display(d.to_string());
    }
    built(b.build())
}

/// A concept of codings and, optionally, a text.
pub fn concept(codings: Vec<Coding>, text: Option<&str>) -> AppResult<CodeableConcept> {
    let mut b = CodeableConcept::builder().coding(codings.into_iter().map(Some).collect());
    if let Some(t) = text {
        b = b.text(t.to_string());
    }
    built(b.build())
}

/// A concept that is only text.
pub fn text_concept(text: &str) -> AppResult<CodeableConcept> {
    built(CodeableConcept::builder().text(text.to_string()).build())
}

pub fn period(start: Option<DateTime>, end: Option<DateTime>) -> AppResult<Period> {
    let mut b = Period::builder();
    if let Some(s) = start {
        b = b.start(s);
    }
    if let Some(e) = end {
        b = b.end(e);
    }
    built(b.build())
}

/// `meta.versionId` (the record's `version`) and `meta.lastUpdated`.
pub fn meta(version: i64, updated_at: NaiveDateTime) -> AppResult<Meta> {
    built(Meta::builder().version_id(version.to_string()).last_updated(instant(updated_at)?).build())
}

/// `Some(x)` for every element: FHIR arrays of elements that may each be absent.
pub fn each<T>(items: impl IntoIterator<Item = T>) -> Vec<Option<T>> {
    items.into_iter().map(Some).collect()
}

/// 200 with a resource as `application/fhir+json`; a read of a versioned record carries the
/// weak ETag FHIR uses (`W/"<versionId>"`).
pub fn respond<T: Serialize>(resource: &T, version: Option<i64>) -> AppResult<HttpResponse> {
    let body = serde_json::to_string(resource).map_err(AppError::internal)?;
    let mut resp = HttpResponse::Ok();
    resp.insert_header((header::CONTENT_TYPE, FHIR_JSON));
    if let Some(v) = version {
        resp.insert_header((header::ETAG, format!("W/\"{v}\"")));
    }
    Ok(resp.body(body))
}
