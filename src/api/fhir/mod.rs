//! FHIR R4 read API (`/fhir/R4`): one handler per file. Every handler reads through the same
//! scoped store queries as the JSON API (`store::*::find_visible`, `list`), inside
//! `audit::read`, so access, 404s and the audit trail are the JSON API's; `fhir::*` maps the rows.

pub mod careplan;
pub mod consent;
pub mod encounter;
pub mod everything;
pub mod goal;
pub mod group;
pub mod metadata;
pub mod observation;
pub mod patient;
pub mod questionnaire_response;

use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use validator::Validate;

use crate::domain::value_sessions::reference;
use crate::fhir::bundle::{searchset, Entry};
use crate::fhir::{respond, BASE};
use crate::pagination::PageRequest;
use crate::problem::{AppError, AppResult};
use crate::store::sessions::Subject;

/// The FHIR base URL as the caller reached it, for `fullUrl`s and links.
pub(crate) fn base_url(req: &HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}{BASE}", info.scheme(), info.host())
}

/// The request's own URL (a search's `self` link).
pub(crate) fn self_url(req: &HttpRequest) -> String {
    let info = req.connection_info();
    let path = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or(BASE);
    format!("{}://{}{path}", info.scheme(), info.host())
}

/// A search by subject: `subject=Group/{id}` (or `Patient/{id}` where the resource allows it),
/// a page size and the cursor of a `next` link.
#[derive(Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SubjectSearch {
    /// `Group/{couple_id}`; for encounters also `Patient/{client_id}` (sessions with the client alone).
    #[param(pattern = "^(Group|Patient)/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    #[validate(length(min = 1, max = 100))]
    pub subject: String,
    /// Page size, 1 to 100 (default 25).
    #[serde(rename = "_count")]
    #[param(rename = "_count", minimum = 1, maximum = 100)]
    #[validate(range(min = 1, max = 100))]
    pub count: Option<i64>,
    /// From the `next` link of the previous page.
    #[serde(rename = "_cursor")]
    #[param(rename = "_cursor")]
    pub cursor: Option<String>,
    /// Only JSON is served: `json` or `application/fhir+json`.
    #[serde(rename = "_format")]
    #[param(rename = "_format", pattern = "^(json|application/fhir\\+json|application/json)$")]
    #[validate(custom(function = "json_format"))]
    pub format: Option<String>,
}

fn json_format(v: &str) -> Result<(), validator::ValidationError> {
    match v {
        "json" | "application/fhir+json" | "application/json" => Ok(()),
        _ => Err(crate::extract::rule("only json is served")),
    }
}

impl SubjectSearch {
    /// The subject named, as `Group/{id}` (a couple) or, when `patients` allows, `Patient/{id}`.
    pub fn subject(&self, patients: bool) -> AppResult<Subject> {
        let bad = || {
            let which = if patients { "Group/{id} or Patient/{id}" } else { "Group/{id}" };
            AppError::field("subject", format!("must be {which}"))
        };
        match self.subject.split_once('/') {
            Some(("Group", id)) => Ok(Subject::Couple(reference("subject", id).map_err(|_| bad())?)),
            Some(("Patient", id)) if patients => Ok(Subject::Client(reference("subject", id).map_err(|_| bad())?)),
            _ => Err(bad()),
        }
    }

    /// The page asked for (the listing's own cursor kind and key).
    pub fn page(&self, kind: &'static str, key_len: usize) -> AppResult<PageRequest> {
        PageRequest::parse(kind, key_len, self.count, self.cursor.as_deref())
    }

    /// The answer to one page of this search: a searchset Bundle of `entries`, with a `next`
    /// link while there is more, and `total` only when the page is the whole set.
    pub fn answer(
        &self,
        req: &HttpRequest,
        resource: &str,
        entries: Vec<Entry>,
        cursor: Option<String>,
    ) -> AppResult<HttpResponse> {
        let total = (self.cursor.is_none() && cursor.is_none()).then_some(entries.len() as u32);
        let next = self.next_url(req, resource, cursor);
        respond(searchset(entries, self_url(req), next, total), None)
    }

    /// The `next` link: this search again from `cursor`.
    pub fn next_url(&self, req: &HttpRequest, resource: &str, cursor: Option<String>) -> Option<String> {
        let cursor = cursor?;
        let count = self.count.unwrap_or(crate::pagination::DEFAULT_LIMIT);
        Some(format!("{}/{resource}?subject={}&_count={count}&_cursor={cursor}", base_url(req), self.subject))
    }
}

/// Every row of a keyset listing, page after page of the largest size (for a resource that holds
/// a whole set, such as the plan or `$everything`).
pub(crate) fn every<R>(
    kind: &'static str,
    key_len: usize,
    key: impl Fn(&R) -> Vec<String>,
    mut fetch: impl FnMut(&PageRequest) -> AppResult<Vec<R>>,
) -> AppResult<Vec<R>> {
    let mut page = PageRequest::parse(kind, key_len, Some(crate::pagination::MAX_LIMIT), None)?;
    let mut all = Vec::new();
    loop {
        let mut rows = fetch(&page)?;
        let more = rows.len() as i64 > page.limit;
        rows.truncate(page.limit as usize);
        let after = rows.last().map(&key);
        all.extend(rows);
        match (more, after) {
            (true, Some(after)) => page.after = Some(after),
            _ => return Ok(all),
        }
    }
}
