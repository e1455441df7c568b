//! The document of a disclosure (`GET /releases/{id}/document`): what a recipient reads. It is
//! made once, when the release is disclosed ([`DisclosureDocument::new`]), kept in the database
//! as JSON, and rendered to PDF from that copy ([`DisclosureDocument::render`]): a later addendum
//! or edit of a record never changes what was sent. People are named (from the names at that
//! moment), and instants are shown in the practice's time zone with the zone's name.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::pdf::{PdfError, Style, Writer};
use super::releases::DisclosedRecords;
use crate::store::releases::{AuthorizerRow, ReleaseRow};

/// A PDF file, in the OpenAPI document (the handler answers the bytes themselves).
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct PdfDocument(pub Vec<u8>);

/// What the recipient is told about passing the records on.
pub const REDISCLOSURE_NOTICE: &str = "Notice to the recipient: these records were disclosed to you from confidential \
counseling records, with the written authorization of the people named above and for the purpose stated only. You may \
not disclose them further, in whole or in part, without a new written authorization from each of those people, unless \
the law requires it. Keep them confidential, and destroy them when that purpose is fulfilled.";

/// The kinds of record in the order the document shows them, with their headings.
const SECTIONS: &[(&str, &str)] = &[
    ("sessions", "Sessions"),
    ("summaries", "Session summaries shared with the clients"),
    ("mediation_notes", "Mediation notes"),
    ("boundaries", "Boundaries"),
    ("milestones", "Milestones of the plan"),
    ("activities", "Activities between sessions"),
    ("letters", "Letters"),
    ("assessments", "Questionnaires"),
];

/// Keys of the disclosed records that hold the id of a person (a client or a staff member).
const PERSON_KEYS: &[&str] = &[
    "attendee_ids",
    "counselor_id",
    "author_id",
    "client_id",
    "responsible_ids",
    "requested_by",
    "recorded_by",
    "responded_by",
    "assigned_to",
];

#[derive(Serialize, Deserialize)]
pub struct DocumentPractice {
    pub name: String,
    /// IANA zone: every instant is shown in it.
    pub timezone: String,
}

#[derive(Serialize, Deserialize)]
pub struct DocumentAuthorization {
    pub client_id: String,
    /// The client's name on record.
    pub name: String,
    /// The name they typed.
    pub signed_name: String,
    pub authorized_at: DateTime<Utc>,
}

/// A disclosure as it was made: kept as JSON in `disclosures.document`.
#[derive(Serialize, Deserialize)]
pub struct DisclosureDocument {
    pub release_id: String,
    pub practice: DocumentPractice,
    pub disclosed_at: DateTime<Utc>,
    /// The staff member who disclosed it.
    pub disclosed_by: String,
    pub recipient_name: String,
    pub recipient_organization: Option<String>,
    pub purpose: String,
    pub from: Option<String>,
    pub to: Option<String>,
    /// `couple` or `client`.
    pub subject: String,
    pub authorizations: Vec<DocumentAuthorization>,
    /// Person id -> name, for every person the records name.
    pub names: BTreeMap<String, String>,
    /// The disclosed records, as the disclosure answered them.
    pub records: Value,
    pub notice: String,
}

/// The ids of the people the records name (to look their names up).
pub fn people_in(records: &DisclosedRecords) -> BTreeSet<String> {
    fn walk(v: &Value, out: &mut BTreeSet<String>) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    if PERSON_KEYS.contains(&k.as_str()) {
                        match v {
                            Value::String(s) => {
                                out.insert(s.clone());
                            }
                            Value::Array(items) => {
                                out.extend(items.iter().filter_map(|i| i.as_str().map(String::from)))
                            }
                            _ => {}
                        }
                    } else {
                        walk(v, out);
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    walk(&serde_json::to_value(records).unwrap_or(Value::Null), &mut out);
    out
}

/// Everything a document is made of, at the moment of disclosure.
pub struct DocumentParts<'a> {
    pub release: &'a ReleaseRow,
    pub authorizers: &'a [AuthorizerRow],
    pub practice_name: String,
    pub timezone: String,
    pub disclosed_at: DateTime<Utc>,
    pub disclosed_by: String,
    pub names: BTreeMap<String, String>,
    pub records: &'a DisclosedRecords,
}

impl DisclosureDocument {
    pub fn new(parts: DocumentParts<'_>) -> Result<DisclosureDocument, serde_json::Error> {
        let r = parts.release;
        let mut authorizations: Vec<DocumentAuthorization> = parts
            .authorizers
            .iter()
            .filter(|a| a.release_id == r.id)
            .filter_map(|a| match (&a.signed_name, a.authorized_at) {
                (Some(signed), Some(at)) => Some(DocumentAuthorization {
                    name: parts.names.get(&a.client_id).cloned().unwrap_or_default(),
                    client_id: a.client_id.clone(),
                    signed_name: signed.clone(),
                    authorized_at: super::instant(at),
                }),
                _ => None,
            })
            .collect();
        authorizations.sort_by_key(|a| a.authorized_at);
        Ok(DisclosureDocument {
            release_id: r.id.clone(),
            practice: DocumentPractice { name: parts.practice_name, timezone: parts.timezone },
            disclosed_at: parts.disclosed_at,
            disclosed_by: parts.disclosed_by,
            recipient_name: r.recipient_name.clone(),
            recipient_organization: r.recipient_organization.clone(),
            purpose: r.purpose.clone(),
            from: r.from_on.clone(),
            to: r.to_on.clone(),
            subject: if r.couple_id.is_some() { "couple" } else { "client" }.into(),
            authorizations,
            names: parts.names,
            records: serde_json::to_value(parts.records)?,
            notice: REDISCLOSURE_NOTICE.into(),
        })
    }

    fn name(&self, id: &str) -> String {
        self.names.get(id).cloned().unwrap_or_else(|| "(not on record)".into())
    }

    fn names_of(&self, ids: &Value) -> String {
        let names: Vec<String> = ids
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).map(|id| self.name(id)).collect())
            .unwrap_or_default();
        if names.is_empty() {
            "none recorded".into()
        } else {
            names.join(", ")
        }
    }

    /// An RFC 3339 instant in the practice's zone: `2026-11-03 14:00 CET`.
    fn when(&self, v: &Value) -> String {
        let Some(at) = v.as_str().and_then(|s| DateTime::parse_from_rfc3339(s).ok()) else {
            return "—".into();
        };
        match self.practice.timezone.parse::<chrono_tz::Tz>() {
            Ok(tz) => at.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z").to_string(),
            Err(_) => at.with_timezone(&Utc).format("%Y-%m-%d %H:%M UTC").to_string(),
        }
    }

    fn when_at(&self, at: DateTime<Utc>) -> String {
        self.when(&Value::String(at.to_rfc3339()))
    }

    /// The PDF a recipient reads.
    pub fn render(&self) -> Result<Vec<u8>, PdfError> {
        let mut w = Writer::new(format!("{} · disclosure of records", self.practice.name))?;
        w.paragraph(&self.practice.name, Style::SMALL);
        w.space(4.0);
        w.paragraph("Disclosure of counseling records", Style::TITLE);
        w.space(6.0);
        let recipient = match &self.recipient_organization {
            Some(org) => format!("{}, {}", self.recipient_name, org),
            None => self.recipient_name.clone(),
        };
        w.field("Recipient", &recipient, Style::BODY);
        w.field("Purpose", &self.purpose, Style::BODY);
        let whose: Vec<String> = self.authorizations.iter().map(|a| a.name.clone()).collect();
        let subject = if self.subject == "couple" { "The couple's joint records of" } else { "The records of" };
        w.field("Records", &format!("{subject} {}", whose.join(" and ")), Style::BODY);
        let window = match (&self.from, &self.to) {
            (Some(f), Some(t)) => format!("from {f} to {t}"),
            (Some(f), None) => format!("from {f}"),
            (None, Some(t)) => format!("up to {t}"),
            (None, None) => "all dates".into(),
        };
        w.field("Window", &window, Style::BODY);
        w.field("Disclosed", &format!("{} by {}", self.when_at(self.disclosed_at), self.disclosed_by), Style::BODY);
        w.field("Time zone", &format!("{} (every time in this document)", self.practice.timezone), Style::BODY);
        w.space(6.0);
        w.paragraph("Authorizations", Style::HEADING);
        w.rule();
        for a in &self.authorizations {
            w.field(&a.name, &format!("signed “{}” on {}", a.signed_name, self.when_at(a.authorized_at)), Style::BODY);
        }
        for (key, title) in SECTIONS {
            let Some(items) = self.records.get(*key).and_then(Value::as_array) else { continue };
            w.space(10.0);
            w.need(60.0);
            w.paragraph(title, Style::HEADING);
            w.rule();
            if items.is_empty() {
                w.paragraph("None in this window.", Style::BODY);
            }
            for item in items {
                w.need(40.0);
                self.item(&mut w, key, item);
                w.space(6.0);
            }
        }
        w.space(12.0);
        w.need(80.0);
        w.rule();
        w.paragraph(&self.notice, Style::BODY);
        w.finish()
    }

    fn item(&self, w: &mut Writer, kind: &str, v: &Value) {
        let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
        let text = |w: &mut Writer, label: &str, k: &str| {
            if let Some(t) = v.get(k).and_then(Value::as_str) {
                w.field(label, t, Style::BODY.indented(12.0));
            }
        };
        let body = Style::BODY.indented(12.0);
        match kind {
            "sessions" => {
                w.paragraph(&self.when(&v["starts_at"]), Style::SUBHEADING);
                let modality = s("modality").replace('_', " ");
                w.field("How", &format!("{modality}, {} minutes", v["duration_minutes"]), body);
                w.field("Counselor", &self.name(&s("counselor_id")), body);
                w.field("Attended", &self.names_of(&v["attendee_ids"]), body);
            }
            "summaries" => {
                w.paragraph(&format!("Session of {}", self.when(&v["session_starts_at"])), Style::SUBHEADING);
                w.field("Shared", &self.when(&v["shared_at"]), body);
                w.paragraph(&s("text"), body);
            }
            "mediation_notes" => {
                w.paragraph(&format!("Note by {}", self.name(&s("author_id"))), Style::SUBHEADING);
                w.field("Signed", &self.when(&v["signed_at"]), body);
                text(w, "Risk level", "risk_level");
                for (label, k) in [("Topics", "topics"), ("Agreements", "agreements")] {
                    let list: Vec<&str> =
                        v[k].as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
                    if !list.is_empty() {
                        w.field(label, &list.join("; "), body);
                    }
                }
                w.paragraph(&s("body"), body);
                for a in v["addenda"].as_array().into_iter().flatten() {
                    let by = self.name(a["author_id"].as_str().unwrap_or_default());
                    w.field("Addendum", &format!("{} by {}", self.when(&a["created_at"]), by), body.indented(12.0));
                    w.paragraph(a["body"].as_str().unwrap_or_default(), body.indented(12.0));
                }
            }
            "boundaries" => {
                w.paragraph(&s("title"), Style::SUBHEADING);
                w.field("Status", &s("status"), body);
                text(w, "Description", "description");
                if let Some(by) = v["requested_by"].as_str() {
                    w.field("Asked for by", &self.name(by), body);
                }
                w.field("Kept by", &self.names_of(&v["responsible_ids"]), body);
                for a in v["acknowledgements"].as_array().into_iter().flatten() {
                    let who = self.name(a["client_id"].as_str().unwrap_or_default());
                    w.field("Acknowledged", &format!("{who}, {}", self.when(&a["acknowledged_at"])), body);
                }
            }
            "milestones" => {
                w.paragraph(&s("title"), Style::SUBHEADING);
                w.field("Phase and status", &format!("{}, {}", s("phase"), s("status").replace('_', " ")), body);
                text(w, "Target", "target_on");
                text(w, "Achieved", "achieved_on");
                text(w, "Description", "description");
            }
            "activities" => {
                let a = &v["activity"];
                w.paragraph(a["title"].as_str().unwrap_or_default(), Style::SUBHEADING);
                let who = match a["assigned_to"].as_str() {
                    Some("both") | None => "both partners".to_string(),
                    Some(id) => self.name(id),
                };
                w.field("For", &who, body);
                w.field("From", a["starts_on"].as_str().unwrap_or_default(), body);
                for log in v["logs"].as_array().into_iter().flatten() {
                    let who = self.name(log["client_id"].as_str().unwrap_or_default());
                    let done = if log["completed"].as_bool() == Some(true) { "done" } else { "not done" };
                    w.field(log["done_on"].as_str().unwrap_or_default(), &format!("{who}: {done}"), body);
                    if let Some(r) = log["reflection"].as_str() {
                        w.paragraph(r, body.indented(12.0));
                    }
                }
            }
            "letters" => {
                w.paragraph(&s("title"), Style::SUBHEADING);
                w.field("Written by", &self.name(&s("author_id")), body);
                w.field("Released", &self.when(&v["released_at"]), body);
                w.paragraph(&s("body"), body);
            }
            "assessments" => {
                w.paragraph(&format!("{} — {}", s("instrument"), self.name(&s("client_id"))), Style::SUBHEADING);
                w.field("Completed", &self.when(&v["completed_at"]), body);
                w.field("Score", &v["score"].to_string(), body);
                if let Some(band) = v["band"].as_str() {
                    w.field("Band", &band.replace('_', " "), body);
                }
                if let Some(answers) = v["answers"].as_object() {
                    let list: Vec<String> = answers.iter().map(|(k, a)| format!("{k}: {a}")).collect();
                    w.field("Answers", &list.join(", "), body);
                }
            }
            _ => {}
        }
    }
}
