//! `GET /fhir/R4/metadata`: the `CapabilityStatement` of exactly what `/fhir/R4` supports.

use fhir_sdk::r4b::codes::{
    CapabilityStatementKind, FHIRVersion, PublicationStatus, ResourceType, RestfulCapabilityMode, SearchParamType,
};
use fhir_sdk::r4b::resources::{
    CapabilityStatement, CapabilityStatementRest, CapabilityStatementRestResource,
    CapabilityStatementRestResourceInteraction, CapabilityStatementRestResourceOperation,
    CapabilityStatementRestResourceSearchParam, CapabilityStatementRestSecurity, CapabilityStatementSoftware,
};

use super::{built, date, each, FHIR_JSON};
use crate::problem::AppResult;

/// When this statement last changed (a `date` is required).
const DATE: &str = "2026-12-01";

/// One supported resource: its type, whether it can be searched (by `subject`), and the
/// operations on an instance.
struct Supported {
    kind: ResourceType,
    doc: &'static str,
    search_subject: Option<&'static str>,
    everything: bool,
}

const SUPPORTED: &[Supported] = &[
    Supported { kind: ResourceType::Patient, doc: "A client.", search_subject: None, everything: false },
    Supported {
        kind: ResourceType::Group,
        doc: "A couple: type person, actual, the partners as members.",
        search_subject: None,
        everything: true,
    },
    Supported {
        kind: ResourceType::Encounter,
        doc: "A session.",
        search_subject: Some("The couple (Group/{id}) or the client seen alone (Patient/{id})."),
        everything: false,
    },
    Supported {
        kind: ResourceType::CarePlan,
        doc: "A couple's trust-repair plan (its id is the couple's): milestones as goals, shared activities.",
        search_subject: None,
        everything: false,
    },
    Supported {
        kind: ResourceType::Goal,
        doc: "A milestone of the plan.",
        search_subject: Some("The couple (Group/{id})."),
        everything: false,
    },
    Supported {
        kind: ResourceType::QuestionnaireResponse,
        doc: "A completed assessment.",
        search_subject: None,
        everything: false,
    },
    Supported {
        kind: ResourceType::Observation,
        doc: "The score of a completed assessment.",
        search_subject: None,
        everything: false,
    },
    Supported {
        kind: ResourceType::Consent,
        doc: "A release of records and its authorizations.",
        search_subject: None,
        everything: false,
    },
];

fn interaction(code: &str) -> AppResult<CapabilityStatementRestResourceInteraction> {
    built(CapabilityStatementRestResourceInteraction::builder().code(code.to_string()).build())
}

fn resource(s: &Supported) -> AppResult<CapabilityStatementRestResource> {
    let mut interactions = vec![interaction("read")?];
    let mut b = CapabilityStatementRestResource::builder().r#type(s.kind.clone()).documentation(s.doc.to_string());
    if let Some(doc) = s.search_subject {
        interactions.push(interaction("search-type")?);
        let param = built(
            CapabilityStatementRestResourceSearchParam::builder()
                .name("subject".to_string())
                .definition(format!("http://hl7.org/fhir/SearchParameter/{}-subject", s.kind))
                .r#type(SearchParamType::Reference)
                .documentation(format!("{doc} Required. `_count` (1 to 100, default 25) sets the page size."))
                .build(),
        )?;
        b = b.search_param(each([param]));
    }
    if s.everything {
        let op = built(
            CapabilityStatementRestResourceOperation::builder()
                .name("everything".to_string())
                .definition("https://mend.dev/fhir/OperationDefinition/Group-everything".to_string())
                .documentation(
                    "GET Group/{id}/$everything: a searchset Bundle of the couple's Group, its partners' Patients, \
                     its Encounters, CarePlan, Goals, QuestionnaireResponses and Observations, and Consents."
                        .to_string(),
                )
                .build(),
        )?;
        b = b.operation(each([op]));
    }
    built(b.interaction(each(interactions)).build())
}

pub fn capability_statement() -> AppResult<CapabilityStatement> {
    let security = built(
        CapabilityStatementRestSecurity::builder()
            .description(
                "Bearer access tokens from POST /api/v1/auth/login, as for the JSON API. Staff only (clients: 403); \
                 what the caller may not see is a 404."
                    .to_string(),
            )
            .build(),
    )?;
    let resources = SUPPORTED.iter().map(resource).collect::<AppResult<Vec<_>>>()?;
    let rest = built(
        CapabilityStatementRest::builder()
            .mode(RestfulCapabilityMode::Server)
            .documentation("Read-only. Mediation notes are never part of FHIR output.".to_string())
            .security(security)
            .resource(each(resources))
            .build(),
    )?;
    let software = built(
        CapabilityStatementSoftware::builder()
            .name("Mend".to_string())
            .version(env!("CARGO_PKG_VERSION").to_string())
            .build(),
    )?;
    built(
        CapabilityStatement::builder()
            .id("mend".to_string())
            .name("Mend".to_string())
            .title("Mend FHIR R4 read API".to_string())
            .status(PublicationStatus::Active)
            .date(fhir_sdk::DateTime::Date(date(DATE)?))
            .publisher("Mend".to_string())
            .kind(CapabilityStatementKind::Capability)
            .software(software)
            .fhir_version(FHIRVersion::N401)
            .format(each([FHIR_JSON.to_string()]))
            .rest(each([rest]))
            .build(),
    )
}
