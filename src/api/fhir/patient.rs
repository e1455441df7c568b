use actix_web::{web, HttpResponse};

use crate::audit::{self, Action};
use crate::auth::Staff;
use crate::domain::ids::ClientId;
use crate::domain::ResourceKind;
use crate::fhir::{docs, patient, respond};
use crate::problem::AppResult;
use crate::state::AppState;
use crate::store::clients;

/// A client as a Patient: for admins of the practice and counselors who see the client, as
/// `GET /api/v1/clients/{id}`.
#[utoipa::path(get, path = "/fhir/R4/Patient/{id}", tag = "fhir", params(("id" = ClientId, Path)),
    responses((status = 200, description = "The Patient", body = docs::FhirPatient,
        content_type = "application/fhir+json", headers(("ETag" = String)))))]
pub async fn read(staff: Staff, state: web::Data<AppState>, path: web::Path<ClientId>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (resource, version) = audit::read(
        &state.db,
        staff.0,
        Action::Read,
        ResourceKind::Client,
        Some(id.to_string()),
        move |conn, staff| {
            let row = clients::find_visible(conn, staff, &id)?;
            Ok((patient::patient(&row)?, row.version))
        },
    )
    .await?;
    respond(resource, Some(version))
}
