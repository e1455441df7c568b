//! `GET /fhir/R4/metadata`: the `CapabilityStatement` of exactly what `/fhir/R4` supports.

use super::model::{
    CapabilityStatement, CapabilityStatementInteraction, CapabilityStatementOperation, CapabilityStatementResource,
    CapabilityStatementRest, CapabilityStatementSearchParam, CapabilityStatementSecurity, CapabilityStatementSoftware,
};
use super::{FHIR_JSON, FHIR_VERSION};

/// When this statement last changed (a `date` is required).
const DATE: &str = "2026-12-01";

/// One supported resource: its type, whether it can be searched (by `subject`), and the
/// operations on an instance.
struct Supported {
    kind: &'static str,
    doc: &'static str,
    search_subject: Option<&'static str>,
    everything: bool,
}

const SUPPORTED: &[Supported] = &[
    Supported { kind: "Patient", doc: "A client.", search_subject: None, everything: false },
    Supported {
        kind: "Group",
        doc: "A couple: type person, actual, the partners as members.",
        search_subject: None,
        everything: true,
    },
    Supported {
        kind: "Encounter",
        doc: "A session.",
        search_subject: Some("The couple (Group/{id}) or the client seen alone (Patient/{id})."),
        everything: false,
    },
    Supported {
        kind: "CarePlan",
        doc: "A couple's trust-repair plan (its id is the couple's): milestones as goals, shared activities.",
        search_subject: None,
        everything: false,
    },
    Supported {
        kind: "Goal",
        doc: "A milestone of the plan.",
        search_subject: Some("The couple (Group/{id})."),
        everything: false,
    },
    Supported {
        kind: "QuestionnaireResponse",
        doc: "A completed assessment.",
        search_subject: None,
        everything: false,
    },
    Supported {
        kind: "Observation",
        doc: "The score of a completed assessment.",
        search_subject: None,
        everything: false,
    },
    Supported {
        kind: "Consent",
        doc: "A release of records and its authorizations.",
        search_subject: None,
        everything: false,
    },
];

fn interaction(code: &'static str) -> CapabilityStatementInteraction {
    CapabilityStatementInteraction { code }
}

fn resource(s: &Supported) -> CapabilityStatementResource {
    let mut interaction = vec![self::interaction("read")];
    let mut search_param = Vec::new();
    if let Some(doc) = s.search_subject {
        interaction.push(self::interaction("search-type"));
        search_param.push(CapabilityStatementSearchParam {
            name: "subject",
            definition: format!("http://hl7.org/fhir/SearchParameter/{}-subject", s.kind),
            kind: "reference",
            documentation: format!("{doc} Required. `_count` (1 to 100, default 25) sets the page size."),
        });
    }
    let mut operation = Vec::new();
    if s.everything {
        operation.push(CapabilityStatementOperation {
            name: "everything",
            definition: "https://mend.dev/fhir/OperationDefinition/Group-everything",
            documentation: "GET Group/{id}/$everything: a searchset Bundle of the couple's Group, its partners' \
                            Patients, its Encounters, CarePlan, Goals, QuestionnaireResponses and Observations, \
                            and Consents.",
        });
    }
    CapabilityStatementResource { kind: s.kind, documentation: s.doc, interaction, search_param, operation }
}

pub fn capability_statement() -> CapabilityStatement {
    let rest = CapabilityStatementRest {
        mode: "server",
        documentation: "Read-only. Mediation notes are never part of FHIR output.",
        security: CapabilityStatementSecurity {
            description: "Bearer access tokens from POST /api/v1/auth/login, as for the JSON API. Staff only \
                          (clients: 403); what the caller may not see is a 404.",
        },
        resource: SUPPORTED.iter().map(resource).collect(),
    };
    CapabilityStatement {
        id: "mend",
        name: "Mend",
        title: "Mend FHIR R4 read API",
        status: "active",
        date: DATE,
        publisher: "Mend",
        kind: "capability",
        software: CapabilityStatementSoftware { name: "Mend", version: env!("CARGO_PKG_VERSION") },
        fhir_version: FHIR_VERSION,
        format: vec![FHIR_JSON],
        rest: vec![rest],
    }
}
