//! A release of records as a FHIR `Consent`: who must authorize it (`performer`), each
//! authorization given (`verification`), and what it permits (`provision`): disclosure of the
//! included kinds of records, within the window, to the recipient, until it expires. Its status
//! is the one the JSON API shows (expiry computed when read).

use super::model::{Consent, ConsentProvision, ConsentProvisionActor, ConsentVerification, Narrative, Reference};
use super::{coding, concept, date, instant, meta, period, reference, systems};
use crate::domain::consent::ReleaseStatus;
use crate::problem::AppResult;
use crate::views::releases::ReleaseView;

const SCOPE: &str = "http://terminology.hl7.org/CodeSystem/consentscope";
const ACTION: &str = "http://terminology.hl7.org/CodeSystem/consentaction";
const LOINC: &str = "http://loinc.org";

fn state(s: ReleaseStatus) -> &'static str {
    match s {
        ReleaseStatus::Pending => "proposed",
        ReleaseStatus::Authorized | ReleaseStatus::Disclosed => "active",
        ReleaseStatus::Revoked => "rejected",
        ReleaseStatus::Expired => "inactive",
    }
}

fn utc(at: chrono::DateTime<chrono::Utc>) -> String {
    instant(at.naive_utc())
}

fn day(d: Option<&str>) -> AppResult<Option<String>> {
    d.map(date).transpose()
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
fn narrative(r: &ReleaseView) -> Narrative {
    let div = format!(
        "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>Release of records to {}, for: {}</p></div>",
        escape(&recipient_name(r)),
        escape(&r.purpose)
    );
    Narrative { status: "generated", div }
}

fn provision(r: &ReleaseView) -> AppResult<ConsentProvision> {
    let actor = ConsentProvisionActor {
        role: concept(vec![coding(systems::PARTICIPATION, "IRCP", Some("information recipient"))], None),
        reference: Reference { display: Some(recipient_name(r)), ..Reference::default() },
    };
    let mut class: Vec<_> = r.include.iter().map(|k| coding(systems::RECORD_KIND, k.as_str(), None)).collect();
    if r.include_mediation_notes {
        class.push(coding(systems::RECORD_KIND, "mediation_notes", None));
    }
    let data_period = if r.from.is_some() || r.to.is_some() {
        Some(period(day(r.from.as_deref())?, day(r.to.as_deref())?))
    } else {
        None
    };
    Ok(ConsentProvision {
        kind: "permit",
        period: period(Some(utc(r.created_at)), day(Some(&r.expires_on))?),
        actor: vec![actor],
        action: vec![concept(vec![coding(ACTION, "disclose", Some("Disclose"))], None)],
        class,
        data_period,
    })
}

pub fn consent(r: &ReleaseView) -> AppResult<Consent> {
    let verification = r
        .authorizations
        .iter()
        .map(|a| ConsentVerification {
            verified: true,
            verified_with: reference("Patient", &a.client_id),
            verification_date: utc(a.authorized_at),
        })
        .collect();
    Ok(Consent {
        id: r.id.clone(),
        meta: meta(r.version, r.updated_at.naive_utc()),
        text: narrative(r),
        status: state(r.status),
        scope: concept(vec![coding(SCOPE, "patient-privacy", Some("Privacy Consent"))], None),
        category: vec![concept(vec![coding(LOINC, "59284-0", Some("Patient Consent"))], None)],
        patient: r.client_id.as_deref().map(|client| reference("Patient", client)),
        date_time: utc(r.created_at),
        performer: r.required_ids.iter().map(|id| reference("Patient", id)).collect(),
        policy_rule: concept(vec![coding(systems::ACT_CODE, "OPTIN", Some("opt-in"))], None),
        verification,
        provision: provision(r)?,
    })
}
