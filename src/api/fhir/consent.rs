use actix_web::{web, HttpResponse};

use crate::audit::{self, Action};
use crate::auth::Staff;
use crate::domain::consent::ReleaseId;
use crate::domain::ResourceKind;
use crate::fhir::{consent, docs, respond};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::releases;

/// A release of records as a Consent, for the staff who see it (as `GET /api/v1/releases/{id}`).
#[utoipa::path(get, path = "/fhir/R4/Consent/{id}", tag = "fhir", params(("id" = ReleaseId, Path)),
    responses((status = 200, description = "The Consent", body = docs::FhirConsent,
        content_type = "application/fhir+json", headers(("ETag" = String)))))]
pub async fn read(staff: Staff, state: web::Data<AppState>, path: web::Path<ReleaseId>) -> AppResult<HttpResponse> {
    let id = path.into_inner().to_string();
    let (resource, version) =
        audit::read(&state.db, staff.0, Action::Read, ResourceKind::Release, Some(id.clone()), move |conn, staff| {
            let row = releases::find_visible(conn, staff, &id)?.ok_or(AppError::NotFound)?;
            let view = crate::api::releases::view(conn, row)?;
            Ok((consent::consent(&view)?, view.version))
        })
        .await?;
    respond(resource, Some(version))
}
