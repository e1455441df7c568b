//! The FHIR resources in the OpenAPI document. Their full definitions are FHIR's own
//! (<https://hl7.org/fhir/R4/>); the document names each with its `resourceType` and links to
//! it, and every FHIR operation gets the FHIR error answers (`OperationOutcome`) here, once.

use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Type};
use utoipa::openapi::{Content, Ref, RefOr, ResponseBuilder, Schema};

use super::FHIR_JSON;

macro_rules! fhir_schemas {
    ($($name:ident = $resource:literal),* $(,)?) => {
        $(
            #[doc = concat!("A FHIR R4 `", $resource, "` (OpenAPI schema only).")]
            pub struct $name;

            impl utoipa::PartialSchema for $name {
                fn schema() -> RefOr<Schema> {
                    resource_schema($resource)
                }
            }

            impl utoipa::ToSchema for $name {}
        )*
    };
}

fhir_schemas! {
    FhirPatient = "Patient",
    FhirGroup = "Group",
    FhirEncounter = "Encounter",
    FhirCarePlan = "CarePlan",
    FhirGoal = "Goal",
    FhirQuestionnaireResponse = "QuestionnaireResponse",
    FhirObservation = "Observation",
    FhirConsent = "Consent",
    FhirBundle = "Bundle",
    FhirCapabilityStatement = "CapabilityStatement",
    FhirOperationOutcome = "OperationOutcome",
}

fn resource_schema(resource: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .description(Some(format!(
            "A FHIR R4 {resource} resource, as defined at https://hl7.org/fhir/R4/{}.html",
            resource.to_ascii_lowercase()
        )))
        .property("resourceType", ObjectBuilder::new().schema_type(Type::String).enum_values(Some([resource])))
        .required("resourceType")
        .property("id", ObjectBuilder::new().schema_type(Type::String))
        .additional_properties(Some(AdditionalProperties::FreeForm(true)))
        .into()
}

/// The FHIR error answers of one operation under `/fhir/R4` (public: only those a public read
/// can give), all `OperationOutcome` as `application/fhir+json`.
pub fn conventions(op: &mut Operation, public: bool) {
    let mut add = |code: &str, text: &str| {
        let response = ResponseBuilder::new()
            .description(text)
            .content(FHIR_JSON, Content::new(Some(Ref::from_schema_name("FhirOperationOutcome"))))
            .build();
        op.responses.responses.entry(code.to_string()).or_insert_with(|| response.into());
    };
    add("405", "Method not allowed; Allow lists the methods");
    add("500", "Unexpected error; the diagnostics quote the request id");
    add("503", "The database is unreachable; Retry-After is set");
    if public {
        return;
    }
    add("400", "A malformed id (ids are UUIDs) or search parameter");
    add("401", "No token, or an invalid, expired or revoked one");
    add("403", "Clients may not use the FHIR API (staff only)");
    add("404", "No such resource, or the caller may not see it");
}
