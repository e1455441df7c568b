use actix_web::{web, HttpResponse};

use crate::audit::{self, Action};
use crate::auth::Staff;
use crate::domain::ids::CoupleId;
use crate::domain::ResourceKind;
use crate::fhir::{docs, group, respond};
use crate::problem::AppResult;
use crate::state::AppState;
use crate::store::couples;

/// A couple as a Group, for the staff assigned to it (as `GET /api/v1/couples/{id}`).
#[utoipa::path(get, path = "/fhir/R4/Group/{id}", tag = "fhir", params(("id" = CoupleId, Path)),
    responses((status = 200, description = "The Group", body = docs::FhirGroup,
        content_type = "application/fhir+json", headers(("ETag" = String)))))]
pub async fn read(staff: Staff, state: web::Data<AppState>, path: web::Path<CoupleId>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (resource, version) = audit::read(
        &state.db,
        staff.0,
        Action::Read,
        ResourceKind::Couple,
        Some(id.to_string()),
        move |conn, staff| {
            let row = couples::find_visible(conn, staff, &id)?;
            let partners = couples::partners(conn, &id)?;
            Ok((group::group(&row, &partners), row.version))
        },
    )
    .await?;
    respond(resource, Some(version))
}
