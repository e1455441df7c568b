//! The FHIR R4 resources and data types Mend serves, as plain serializable structs: only the
//! elements Mend fills, each named and ordered as in the specification
//! (<https://hl7.org/fhir/R4/>), absent when `None` or empty. A choice element (`value[x]`) is a
//! field per type Mend uses (`value_integer`, `value_coding`). Dates and times are strings made by
//! `fhir::date`, `fhir::date_time` and `fhir::instant`. Answers are checked against the
//! specification's own models by `tests/fhir/run.sh`.

use serde::Serialize;

/// Every resource type served, serialized with its `resourceType` first (each boxed: a bundle
/// holds many, of very different sizes).
#[derive(Serialize)]
#[serde(tag = "resourceType")]
pub enum Resource {
    Bundle(Box<Bundle>),
    CapabilityStatement(Box<CapabilityStatement>),
    CarePlan(Box<CarePlan>),
    Consent(Box<Consent>),
    Encounter(Box<Encounter>),
    Goal(Box<Goal>),
    Group(Box<Group>),
    Observation(Box<Observation>),
    OperationOutcome(Box<OperationOutcome>),
    Patient(Box<Patient>),
    QuestionnaireResponse(Box<QuestionnaireResponse>),
}

macro_rules! resource_from {
    ($($kind:ident),*) => {
        $(impl From<$kind> for Resource {
            fn from(r: $kind) -> Self {
                Resource::$kind(Box::new(r))
            }
        })*

        impl Resource {
            /// The `resourceType`.
            pub fn kind(&self) -> &'static str {
                match self {
                    $(Resource::$kind(_) => stringify!($kind),)*
                }
            }
        }
    };
}
resource_from!(
    Bundle,
    CapabilityStatement,
    CarePlan,
    Consent,
    Encounter,
    Goal,
    Group,
    Observation,
    OperationOutcome,
    Patient,
    QuestionnaireResponse
);

impl Resource {
    /// The logical id (an `OperationOutcome` has none).
    pub fn id(&self) -> Option<&str> {
        match self {
            Resource::Bundle(r) => Some(&r.id),
            Resource::CapabilityStatement(r) => Some(r.id),
            Resource::CarePlan(r) => Some(&r.id),
            Resource::Consent(r) => Some(&r.id),
            Resource::Encounter(r) => Some(&r.id),
            Resource::Goal(r) => Some(&r.id),
            Resource::Group(r) => Some(&r.id),
            Resource::Observation(r) => Some(&r.id),
            Resource::OperationOutcome(_) => None,
            Resource::Patient(r) => Some(&r.id),
            Resource::QuestionnaireResponse(r) => Some(&r.id),
        }
    }
}

// ---- data types ----

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    pub version_id: String,
    pub last_updated: String,
}

#[derive(Serialize, Default)]
pub struct Coding {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

#[derive(Serialize, Default)]
pub struct CodeableConcept {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub coding: Vec<Coding>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

#[derive(Serialize)]
pub struct Identifier {
    pub system: String,
    pub value: String,
}

#[derive(Serialize, Default)]
pub struct Reference {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identifier: Option<Identifier>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

#[derive(Serialize, Default)]
pub struct Period {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
}

#[derive(Serialize)]
pub struct HumanName {
    #[serde(rename = "use")]
    pub name_use: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    pub given: Vec<String>,
}

#[derive(Serialize)]
pub struct ContactPoint {
    pub system: &'static str,
    pub value: String,
}

/// `Quantity`, and `Duration` (a quantity of time).
#[derive(Serialize, Default)]
pub struct Quantity {
    pub value: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'static str>,
}

#[derive(Serialize)]
pub struct Annotation {
    pub text: String,
}

#[derive(Serialize)]
pub struct Narrative {
    pub status: &'static str,
    pub div: String,
}

#[derive(Serialize)]
pub struct Timing {
    pub repeat: TimingRepeat,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TimingRepeat {
    pub bounds_period: Period,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frequency: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period_unit: Option<&'static str>,
}

// ---- resources ----

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Patient {
    pub id: String,
    pub meta: Meta,
    pub active: bool,
    pub name: Vec<HumanName>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub telecom: Vec<ContactPoint>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
}

#[derive(Serialize)]
pub struct Group {
    pub id: String,
    pub meta: Meta,
    pub active: bool,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub actual: bool,
    pub code: CodeableConcept,
    pub quantity: u32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub member: Vec<GroupMember>,
}

#[derive(Serialize)]
pub struct GroupMember {
    pub entity: Reference,
    pub period: Period,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inactive: Option<bool>,
}

#[derive(Serialize)]
pub struct Encounter {
    pub id: String,
    pub meta: Meta,
    pub status: &'static str,
    pub class: Coding,
    pub subject: Reference,
    pub participant: Vec<EncounterParticipant>,
    pub period: Period,
    pub length: Quantity,
}

#[derive(Serialize)]
pub struct EncounterParticipant {
    #[serde(rename = "type")]
    pub kind: Vec<CodeableConcept>,
    pub individual: Reference,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Goal {
    pub id: String,
    pub meta: Meta,
    pub lifecycle_status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub achievement_status: Option<CodeableConcept>,
    pub category: Vec<CodeableConcept>,
    pub description: CodeableConcept,
    pub subject: Reference,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub target: Vec<GoalTarget>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_date: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub note: Vec<Annotation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GoalTarget {
    pub due_date: String,
}

#[derive(Serialize)]
pub struct CarePlan {
    pub id: String,
    pub meta: Meta,
    pub status: &'static str,
    pub intent: &'static str,
    pub title: &'static str,
    pub subject: Reference,
    pub period: Period,
    pub created: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub goal: Vec<Reference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub activity: Vec<CarePlanActivity>,
}

#[derive(Serialize)]
pub struct CarePlanActivity {
    pub detail: CarePlanActivityDetail,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CarePlanActivityDetail {
    pub kind: &'static str,
    pub code: CodeableConcept,
    pub status: &'static str,
    pub scheduled_timing: Timing,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub performer: Vec<Reference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Observation {
    pub id: String,
    pub meta: Meta,
    pub status: &'static str,
    pub category: Vec<CodeableConcept>,
    pub code: CodeableConcept,
    pub subject: Reference,
    pub effective_date_time: String,
    pub issued: String,
    pub value_integer: i32,
    pub interpretation: Vec<CodeableConcept>,
    pub reference_range: Vec<ObservationReferenceRange>,
    pub derived_from: Vec<Reference>,
}

#[derive(Serialize)]
pub struct ObservationReferenceRange {
    pub low: Quantity,
    pub high: Quantity,
    pub text: String,
}

#[derive(Serialize)]
pub struct QuestionnaireResponse {
    pub id: String,
    pub meta: Meta,
    pub questionnaire: String,
    pub status: &'static str,
    pub subject: Reference,
    pub authored: String,
    pub source: Reference,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub item: Vec<QuestionnaireResponseItem>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuestionnaireResponseItem {
    pub link_id: String,
    pub text: String,
    pub answer: Vec<QuestionnaireResponseAnswer>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuestionnaireResponseAnswer {
    pub value_coding: Coding,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Consent {
    pub id: String,
    pub meta: Meta,
    pub text: Narrative,
    pub status: &'static str,
    pub scope: CodeableConcept,
    pub category: Vec<CodeableConcept>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patient: Option<Reference>,
    pub date_time: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub performer: Vec<Reference>,
    pub policy_rule: CodeableConcept,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub verification: Vec<ConsentVerification>,
    pub provision: ConsentProvision,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsentVerification {
    pub verified: bool,
    pub verified_with: Reference,
    pub verification_date: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsentProvision {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub period: Period,
    pub actor: Vec<ConsentProvisionActor>,
    pub action: Vec<CodeableConcept>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub class: Vec<Coding>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_period: Option<Period>,
}

#[derive(Serialize)]
pub struct ConsentProvisionActor {
    pub role: CodeableConcept,
    pub reference: Reference,
}

#[derive(Serialize)]
pub struct OperationOutcome {
    pub issue: Vec<OperationOutcomeIssue>,
}

#[derive(Serialize)]
pub struct OperationOutcomeIssue {
    pub severity: &'static str,
    pub code: &'static str,
    pub diagnostics: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub expression: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bundle {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub timestamp: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<u32>,
    pub link: Vec<BundleLink>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub entry: Vec<BundleEntry>,
}

#[derive(Serialize)]
pub struct BundleLink {
    pub relation: &'static str,
    pub url: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BundleEntry {
    pub full_url: String,
    pub resource: Resource,
    pub search: BundleEntrySearch,
}

#[derive(Serialize)]
pub struct BundleEntrySearch {
    pub mode: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CapabilityStatement {
    pub id: &'static str,
    pub name: &'static str,
    pub title: &'static str,
    pub status: &'static str,
    pub date: &'static str,
    pub publisher: &'static str,
    pub kind: &'static str,
    pub software: CapabilityStatementSoftware,
    pub fhir_version: &'static str,
    pub format: Vec<&'static str>,
    pub rest: Vec<CapabilityStatementRest>,
}

#[derive(Serialize)]
pub struct CapabilityStatementSoftware {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Serialize)]
pub struct CapabilityStatementRest {
    pub mode: &'static str,
    pub documentation: &'static str,
    pub security: CapabilityStatementSecurity,
    pub resource: Vec<CapabilityStatementResource>,
}

#[derive(Serialize)]
pub struct CapabilityStatementSecurity {
    pub description: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CapabilityStatementResource {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub documentation: &'static str,
    pub interaction: Vec<CapabilityStatementInteraction>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub search_param: Vec<CapabilityStatementSearchParam>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub operation: Vec<CapabilityStatementOperation>,
}

#[derive(Serialize)]
pub struct CapabilityStatementInteraction {
    pub code: &'static str,
}

#[derive(Serialize)]
pub struct CapabilityStatementSearchParam {
    pub name: &'static str,
    pub definition: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub documentation: String,
}

#[derive(Serialize)]
pub struct CapabilityStatementOperation {
    pub name: &'static str,
    pub definition: &'static str,
    pub documentation: &'static str,
}
