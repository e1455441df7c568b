//! The worklist as a counselor sees it: what needs them, with names beside ids and a title in
//! plain words. Titles name partners by their preferred (or first) name and never quote a
//! letter, a note or a summary.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::instant;
use crate::domain::ids::{ClientId, CoupleId};
use crate::domain::worklist::WorkKind;
use crate::domain::ResourceKind;
use crate::store::worklist::WorkRow;

/// A couple named by its partners ("Sam & Alex").
#[derive(Serialize, ToSchema)]
pub struct CoupleRef {
    pub id: CoupleId,
    pub name: String,
}

/// A client named by preferred (or first) and last name.
#[derive(Serialize, ToSchema)]
pub struct ClientRef {
    pub id: ClientId,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct WorkItem {
    pub kind: WorkKind,
    /// Since when it needs the caller: when the letter was submitted, the note drafted, the
    /// session ended, the check-in reported, the policy changed, the release authorized; for
    /// date-based items the start of the date (UTC).
    pub since: DateTime<Utc>,
    /// The date it is or was due (`YYYY-MM-DD`): an assessment's `due_on`, a boundary's
    /// `review_on`, a release's `expires_on`; null otherwise.
    pub due_on: Option<String>,
    pub couple: Option<CoupleRef>,
    pub client: Option<ClientRef>,
    /// What to open: `letter`, `note`, `session`, `assessment`, `boundary`,
    /// `confidentiality_policy` (its id is the couple's) or `release`.
    pub resource_type: ResourceKind,
    pub resource_id: String,
    /// In plain words, for the counselor's screen.
    pub title: String,
}

#[derive(Serialize, ToSchema)]
pub struct WorkList {
    pub items: Vec<WorkItem>,
    pub next_cursor: Option<String>,
}

impl From<WorkRow> for WorkItem {
    fn from(r: WorkRow) -> WorkItem {
        let title = title(&r);
        let couple_name = match (&r.partner_a, &r.partner_b) {
            (Some(a), Some(b)) => format!("{a} & {b}"),
            (Some(a), None) | (None, Some(a)) => a.clone(),
            (None, None) => String::new(),
        };
        WorkItem {
            kind: r.kind,
            since: instant(r.since),
            due_on: r.due_on,
            couple: r.couple_id.map(|id| CoupleRef { id, name: couple_name }),
            client: r.client_id.map(|id| ClientRef { id, name: r.client_name.unwrap_or_default() }),
            resource_type: r.resource_type,
            resource_id: r.resource_id,
            title,
        }
    }
}

fn title(r: &WorkRow) -> String {
    let who = r.person_name.as_deref().unwrap_or("A partner");
    let detail = r.detail.as_deref().unwrap_or_default();
    match r.kind {
        WorkKind::LetterSubmitted => {
            let kind = if detail.is_empty() || detail == "other" { String::new() } else { format!("{detail} ") };
            format!("{who}'s {kind}letter waits for your review")
        }
        WorkKind::NoteUnsigned => "Your draft note waits for your signature".into(),
        WorkKind::SessionNeedsNote => "A completed session of yours has no signed note".into(),
        WorkKind::SessionNeedsStatus => "A session has ended: mark it completed, no-show or cancelled".into(),
        WorkKind::SummaryUnshared => "A session summary is still a draft: share it with the attendees".into(),
        WorkKind::AssessmentOverdue => format!("{who}'s {} questionnaire is overdue", instrument(detail)),
        WorkKind::AssessmentCompleted => format!("{who} completed the {} questionnaire", instrument(detail)),
        WorkKind::CheckinBroken => format!("{who} reported the boundary \u{201c}{detail}\u{201d} as not kept"),
        WorkKind::BoundaryReviewDue => format!("The boundary \u{201c}{detail}\u{201d} is due for review"),
        WorkKind::ConsentUnsigned => "The confidentiality policy waits for a partner's signature".into(),
        WorkKind::ReleaseReady => "A release of records is authorized and ready to disclose".into(),
    }
}

fn instrument(key: &str) -> &str {
    crate::domain::instruments::find(key).map_or(key, |i| i.title)
}
