//! `GET /portal/releases/{id}/preview`: what the recipient of a release will get, as one of the
//! clients who must authorize it may see it. What that client's portal never shows them is
//! counted, never shown: mediation notes, questionnaires the partner answered, sessions (and
//! their summaries) they did not attend, activities for the partner alone. The filtering happens
//! on the collected rows, before any view exists, and the preview's type has no field for a
//! mediation note.

use std::collections::HashMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::releases::{DisclosedActivity, DisclosedRecords, DisclosedSession, DisclosedSummary, PortalRelease};
use super::trust::{BoundaryView, MilestoneView};
use crate::domain::ids::{ClientId, SessionId};
use crate::store::disclosure::Collected;

/// What the recipient will get and the caller's portal shows them: the release's kinds, in the
/// shapes of a disclosure (a kind the release does not include is absent, not empty).
#[derive(Serialize, ToSchema, Default)]
pub struct PreviewRecords {
    /// Sessions the caller attended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sessions: Option<Vec<DisclosedSession>>,
    /// Shared summaries of sessions the caller attended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summaries: Option<Vec<DisclosedSummary>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boundaries: Option<Vec<BoundaryView>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub milestones: Option<Vec<MilestoneView>>,
    /// Activities with their logs; a reflection only where its author shared it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activities: Option<Vec<DisclosedActivity>>,
    /// Released letters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub letters: Option<Vec<crate::views::letters::ReceivedLetter>>,
    /// The caller's own completed questionnaires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assessments: Option<Vec<crate::views::assessments::AssessmentView>>,
}

/// A kind of record the recipient will get that the caller's portal never shows them.
#[derive(Serialize, ToSchema, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
pub enum WithheldKind {
    MediationNotes,
    PartnerAssessments,
    SessionsNotAttended,
    SummariesNotAttended,
    /// Activities for the other partner alone (with their logs).
    PartnerActivities,
}

/// Records the recipient will get, counted: their content is not shown to the caller.
#[derive(Serialize, ToSchema, Debug)]
pub struct Withheld {
    pub kind: WithheldKind,
    /// At least 1.
    pub count: usize,
    /// For people: `"2 questionnaires answered by your partner"`.
    pub description: String,
}

impl Withheld {
    fn of(kind: WithheldKind, count: usize) -> Option<Withheld> {
        if count == 0 {
            return None;
        }
        let (one, many) = match kind {
            WithheldKind::MediationNotes => ("mediation note by your counselor", "mediation notes by your counselor"),
            WithheldKind::PartnerAssessments => {
                ("questionnaire answered by your partner", "questionnaires answered by your partner")
            }
            WithheldKind::SessionsNotAttended => ("session you did not attend", "sessions you did not attend"),
            WithheldKind::SummariesNotAttended => {
                ("summary of a session you did not attend", "summaries of sessions you did not attend")
            }
            WithheldKind::PartnerActivities => ("activity for your partner", "activities for your partner"),
        };
        let noun = if count == 1 { one } else { many };
        Some(Withheld { kind, count, description: format!("{count} {noun}") })
    }
}

#[derive(Serialize, ToSchema)]
pub struct ReleasePreview {
    pub release: PortalRelease,
    /// What the recipient will get, as far as the caller's portal shows it to them.
    pub records: PreviewRecords,
    /// What else the recipient will get, counted (only kinds with at least one record).
    pub withheld: Vec<Withheld>,
}

/// The preview of `collected` for the client `me`: `attended` holds the attendees of the
/// sessions whose summaries were collected.
pub fn for_client(
    mut collected: Collected,
    me: &ClientId,
    attended: &HashMap<SessionId, Vec<ClientId>>,
) -> (PreviewRecords, Vec<Withheld>) {
    let mut withheld = Vec::new();
    if let Some(notes) = collected.mediation_notes.take() {
        withheld.extend(Withheld::of(WithheldKind::MediationNotes, notes.len()));
    }
    if let Some(rows) = collected.sessions.take() {
        let (mine, others): (Vec<_>, Vec<_>) = rows.into_iter().partition(|(_, attendees)| attendees.contains(me));
        withheld.extend(Withheld::of(WithheldKind::SessionsNotAttended, others.len()));
        collected.sessions = Some(mine);
    }
    if let Some(rows) = collected.summaries.take() {
        let (mine, others): (Vec<_>, Vec<_>) =
            rows.into_iter().partition(|s| attended.get(&s.session_id).is_some_and(|a| a.contains(me)));
        withheld.extend(Withheld::of(WithheldKind::SummariesNotAttended, others.len()));
        collected.summaries = Some(mine);
    }
    if let Some(rows) = collected.assessments.take() {
        let (mine, others): (Vec<_>, Vec<_>) = rows.into_iter().partition(|a| &a.client_id == me);
        withheld.extend(Withheld::of(WithheldKind::PartnerAssessments, others.len()));
        collected.assessments = Some(mine);
    }
    if let Some(rows) = collected.activities.take() {
        let (mine, others): (Vec<_>, Vec<_>) =
            rows.into_iter().partition(|(a, _)| a.assignee_id.as_deref().is_none_or(|id| id == me.as_str()));
        withheld.extend(Withheld::of(WithheldKind::PartnerActivities, others.len()));
        collected.activities = Some(mine);
    }
    let all = DisclosedRecords::from(collected);
    let records = PreviewRecords {
        sessions: all.sessions,
        summaries: all.summaries,
        boundaries: all.boundaries,
        milestones: all.milestones,
        activities: all.activities,
        letters: all.letters,
        assessments: all.assessments,
    };
    (records, withheld)
}
