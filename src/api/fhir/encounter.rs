use actix_web::{web, HttpRequest, HttpResponse};

use super::SubjectSearch;
use crate::audit::{self, Action};
use crate::auth::Staff;
use crate::domain::ids::SessionId;
use crate::domain::ResourceKind;
use crate::extract::ValidQuery;
use crate::fhir::bundle::Entry;
use crate::fhir::{docs, encounter, respond};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::sessions::{self, ListFilter, Subject};

/// A session as an Encounter, for the staff who see it (as `GET /api/v1/sessions/{id}`).
#[utoipa::path(get, path = "/fhir/R4/Encounter/{id}", tag = "fhir", params(("id" = SessionId, Path)),
    responses((status = 200, description = "The Encounter", body = docs::FhirEncounter,
        content_type = "application/fhir+json", headers(("ETag" = String)))))]
pub async fn read(staff: Staff, state: web::Data<AppState>, path: web::Path<SessionId>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (resource, version) = audit::read(
        &state.db,
        staff.0,
        Action::Read,
        ResourceKind::Session,
        Some(id.to_string()),
        move |conn, staff| {
            let row = sessions::find_visible(conn, staff, &id)?;
            Ok((encounter::encounter(&row)?, row.version))
        },
    )
    .await?;
    respond(resource, Some(version))
}

/// A couple's sessions (`subject=Group/{id}`) or a client's individual ones
/// (`subject=Patient/{id}`), ordered by start, as `GET /api/v1/sessions?couple_id=` does.
#[utoipa::path(get, path = "/fhir/R4/Encounter", tag = "fhir", params(SubjectSearch),
    responses((status = 200, description = "A searchset Bundle of Encounters", body = docs::FhirBundle,
        content_type = "application/fhir+json")))]
pub async fn search(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    query: ValidQuery<SubjectSearch>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let subject = q.subject(true)?;
    let page = q.page("fhir-encounters", 2)?;
    let subject_id = subject.id().to_string();
    let base = super::base_url(&req);
    let kind = ResourceKind::Session;
    let (entries, cursor) =
        audit::read(&state.db, staff.0, Action::List, kind, Some(subject_id), move |conn, staff| {
            if !sessions::subject_visible(conn, staff, &subject)? {
                return Err(AppError::NotFound);
            }
            let filter = match &subject {
                Subject::Couple(id) => ListFilter { couple_id: Some(id.clone()), ..ListFilter::default() },
                Subject::Client(id) => ListFilter { client_id: Some(id.clone()), ..ListFilter::default() },
            };
            let rows = sessions::list(conn, staff, &filter, &page)?;
            let page = page.finish(rows, sessions::list_key, |r| r);
            let entries = page
                .items
                .iter()
                .map(|r| Entry::new(&base, encounter::encounter(r)?))
                .collect::<AppResult<Vec<_>>>()?;
            Ok((entries, page.next_cursor))
        })
        .await?;
    q.answer(&req, "Encounter", entries, cursor)
}
