use actix_web::HttpResponse;

use crate::fhir::{capability, docs, respond};
use crate::problem::AppResult;

/// The CapabilityStatement: exactly the resources, interactions, searches and operation served.
#[utoipa::path(get, path = "/fhir/R4/metadata", tag = "fhir", security(()),
    responses((status = 200, description = "The CapabilityStatement", body = docs::FhirCapabilityStatement,
        content_type = "application/fhir+json")))]
pub async fn metadata() -> AppResult<HttpResponse> {
    respond(capability::capability_statement(), None)
}
