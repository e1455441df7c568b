//! A release of records as a FHIR `Consent`: who must authorize it (`performer`), each
//! authorization given (`verification`), and what it permits (`provision`): disclosure of the
//! included kinds of records, within the window, to the recipient, until it expires. Its status
//! is the one the JSON API shows (expiry computed when read).

use fhir_sdk::r4b::codes::{ConsentProvisionType, ConsentState, NarrativeStatus};
use fhir_sdk::r4b::resources::{Consent, ConsentProvision, ConsentProvisionActor, ConsentVerification};
use fhir_sdk::r4b::types::{Narrative, Reference};
use fhir_sdk::DateTime;

use super::{built, coding, concept, date, each, instant, period, reference, systems};
use crate::domain::consent::ReleaseStatus;
use crate::problem::AppResult;
use crate::views::releases::ReleaseView;

const SCOPE: &str = "http://terminology.hl7.org/CodeSystem/consentscope";
const ACTION: &str = "http://terminology.hl7.org/CodeSystem/consentaction";
const LOINC: &str = "http://loinc.org";

fn state(s: ReleaseStatus) -> ConsentState {
    match s {
        ReleaseStatus::Pending => ConsentState::Proposed,
        ReleaseStatus::Authorized | ReleaseStatus::Disclosed => ConsentState::Active,
        ReleaseStatus::Revoked => ConsentState::Rejected,
        ReleaseStatus::Expired => ConsentState::Inactive,
    }
}

fn utc(at: chrono::DateTime<chrono::Utc>) -> AppResult<DateTime> {
    instant(at.naive_utc()).map(DateTime::DateTime)
}

fn day(d: Option<&str>) -> AppResult<Option<DateTime>> {
    d.map(date).transpose().map(|d| d.map(DateTime::Date))
}

/// Text for XHTML: the five characters that could end an element or an attribute, escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn recipient_name(r: &ReleaseView) -> String {
    match &r.recipient.organization {
        Some(org) => format!("{} ({org})", r.recipient.name),
        None => r.recipient.name.clone(),
    }
}

/// The narrative a person reads: recipient and purpose (FHIR has no element for a free-text
/// purpose of disclosure).
fn narrative(r: &ReleaseView) -> AppResult<Narrative> {
    let div = format!(
        "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>Release of records to {}, for: {}</p></div>",
        escape(&recipient_name(r)),
        escape(&r.purpose)
    );
    built(Narrative::builder().status(NarrativeStatus::Generated).div(div).build())
}

fn provision(r: &ReleaseView) -> AppResult<ConsentProvision> {
    let recipient = built(Reference::builder().display(recipient_name(r)).build())?;
    let actor = built(
        ConsentProvisionActor::builder()
            .role(concept(vec![coding(systems::PARTICIPATION, "IRCP", Some("information recipient"))?], None)?)
            .reference(recipient)
            .build(),
    )?;
    let mut classes: Vec<_> =
        r.include.iter().map(|k| coding(systems::RECORD_KIND, k.as_str(), None)).collect::<AppResult<_>>()?;
    if r.include_mediation_notes {
        classes.push(coding(systems::RECORD_KIND, "mediation_notes", None)?);
    }
    let mut b = ConsentProvision::builder()
        .r#type(ConsentProvisionType::Permit)
        .period(period(Some(utc(r.created_at)?), day(Some(&r.expires_on))?)?)
        .actor(each([actor]))
        .action(each([concept(vec![coding(ACTION, "disclose", Some("Disclose"))?], None)?]))
        .class(each(classes));
    if r.from.is_some() || r.to.is_some() {
        b = b.data_period(period(day(r.from.as_deref())?, day(r.to.as_deref())?)?);
    }
    built(b.build())
}

pub fn consent(r: &ReleaseView) -> AppResult<Consent> {
    let performers = r.required_ids.iter().map(|id| reference("Patient", id)).collect::<AppResult<Vec<_>>>()?;
    let mut verifications = Vec::with_capacity(r.authorizations.len());
    for a in &r.authorizations {
        verifications.push(built(
            ConsentVerification::builder()
                .verified(true)
                .verified_with(reference("Patient", &a.client_id)?)
                .verification_date(utc(a.authorized_at)?)
                .build(),
        )?);
    }
    let meta = built(
        fhir_sdk::r4b::types::Meta::builder()
            .version_id(r.version.to_string())
            .last_updated(instant(r.updated_at.naive_utc())?)
            .build(),
    )?;
    let mut b = Consent::builder()
        .id(r.id.clone())
        .meta(meta)
        .text(narrative(r)?)
        .status(state(r.status))
        .scope(concept(vec![coding(SCOPE, "patient-privacy", Some("Privacy Consent"))?], None)?)
        .category(each([concept(vec![coding(LOINC, "59284-0", Some("Patient Consent"))?], None)?]))
        .date_time(utc(r.created_at)?)
        .performer(each(performers))
        .policy_rule(concept(vec![coding(systems::ACT_CODE, "OPTIN", Some("opt-in"))?], None)?)
        .verification(each(verifications))
        .provision(provision(r)?);
    if let Some(client) = &r.client_id {
        b = b.patient(reference("Patient", client)?);
    }
    built(b.build())
}
