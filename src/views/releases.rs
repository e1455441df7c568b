//! Releases of records as assigned staff see them, as a required authorizer sees them in the
//! portal, the accounting of disclosures, and the disclosed records document.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::instant;
use crate::domain::consent::{RecordKind, ReleaseStatus};
use crate::store::releases::{AuthorizerRow, DisclosureRow, ReleaseRow};
use crate::views::trust::{BoundaryView, MilestoneView};

#[derive(Serialize, ToSchema)]
pub struct Recipient {
    pub name: String,
    pub organization: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Authorization {
    pub client_id: String,
    pub authorized_at: DateTime<Utc>,
    /// The name the client typed.
    pub signed_name: String,
}

#[derive(Serialize, ToSchema)]
pub struct ReleaseView {
    pub id: String,
    /// Set for a release of a couple's joint records.
    pub couple_id: Option<String>,
    /// Set for a release of one client's individual records.
    pub client_id: Option<String>,
    pub recipient: Recipient,
    pub purpose: String,
    /// First day of the window, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Last day of the window, `YYYY-MM-DD`.
    pub to: Option<String>,
    pub include: Vec<RecordKind>,
    pub include_mediation_notes: bool,
    /// `YYYY-MM-DD`: the last day the release can be disclosed.
    pub expires_on: String,
    /// Who must authorize: both partners, or the client.
    pub required_ids: Vec<String>,
    pub authorizations: Vec<Authorization>,
    pub status: ReleaseStatus,
    pub disclosed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

fn parts(auths: &[AuthorizerRow], release_id: &str) -> (Vec<String>, Vec<Authorization>) {
    let mine: Vec<&AuthorizerRow> = auths.iter().filter(|a| a.release_id == release_id).collect();
    let required = mine.iter().map(|a| a.client_id.clone()).collect();
    let mut done: Vec<Authorization> = mine
        .iter()
        .filter_map(|a| match (&a.signed_name, a.authorized_at) {
            (Some(name), Some(at)) => Some(Authorization {
                client_id: a.client_id.clone(),
                authorized_at: instant(at),
                signed_name: name.clone(),
            }),
            _ => None,
        })
        .collect();
    done.sort_by_key(|a| a.authorized_at);
    (required, done)
}

impl ReleaseView {
    /// `auths` may hold other releases' authorizers too (a page's worth).
    pub fn new(row: ReleaseRow, auths: &[AuthorizerRow], today: NaiveDate) -> ReleaseView {
        let (required_ids, authorizations) = parts(auths, &row.id);
        ReleaseView {
            status: ReleaseStatus::effective(row.status, &row.expires_on, today),
            include: row.include(),
            id: row.id,
            couple_id: row.couple_id,
            client_id: row.client_id,
            recipient: Recipient { name: row.recipient_name, organization: row.recipient_organization },
            purpose: row.purpose,
            from: row.from_on,
            to: row.to_on,
            include_mediation_notes: row.include_mediation_notes,
            expires_on: row.expires_on,
            required_ids,
            authorizations,
            disclosed_at: row.disclosed_at.map(instant),
            created_at: instant(row.created_at),
            updated_at: instant(row.updated_at),
            version: row.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ReleaseList {
    pub items: Vec<ReleaseView>,
    pub next_cursor: Option<String>,
}

/// A release that needs the caller's authorization, as the caller sees it in the portal.
#[derive(Serialize, ToSchema)]
pub struct PortalRelease {
    pub id: String,
    pub couple_id: Option<String>,
    pub client_id: Option<String>,
    pub recipient: Recipient,
    pub purpose: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub include: Vec<RecordKind>,
    pub include_mediation_notes: bool,
    pub expires_on: String,
    pub required_ids: Vec<String>,
    pub authorizations: Vec<Authorization>,
    /// When the caller authorized it; null until they do.
    pub my_authorized_at: Option<DateTime<Utc>>,
    pub status: ReleaseStatus,
    pub disclosed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

impl PortalRelease {
    pub fn new(row: ReleaseRow, auths: &[AuthorizerRow], me: &str, today: NaiveDate) -> PortalRelease {
        let (required_ids, authorizations) = parts(auths, &row.id);
        let my_authorized_at = authorizations.iter().find(|a| a.client_id == me).map(|a| a.authorized_at);
        PortalRelease {
            status: ReleaseStatus::effective(row.status, &row.expires_on, today),
            include: row.include(),
            id: row.id,
            couple_id: row.couple_id,
            client_id: row.client_id,
            recipient: Recipient { name: row.recipient_name, organization: row.recipient_organization },
            purpose: row.purpose,
            from: row.from_on,
            to: row.to_on,
            include_mediation_notes: row.include_mediation_notes,
            expires_on: row.expires_on,
            required_ids,
            authorizations,
            my_authorized_at,
            disclosed_at: row.disclosed_at.map(instant),
            created_at: instant(row.created_at),
            version: row.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PortalReleaseList {
    pub items: Vec<PortalRelease>,
    pub next_cursor: Option<String>,
}

/// One entry of the accounting of disclosures (HIPAA 164.528): when, to whom, why, and what.
#[derive(Serialize, ToSchema)]
pub struct DisclosureView {
    pub release_id: String,
    pub disclosed_at: DateTime<Utc>,
    pub recipient: Recipient,
    pub purpose: String,
    pub include: Vec<RecordKind>,
    pub include_mediation_notes: bool,
    pub from: Option<String>,
    pub to: Option<String>,
}

impl From<DisclosureRow> for DisclosureView {
    fn from(r: DisclosureRow) -> Self {
        DisclosureView {
            include: RecordKind::from_json(&r.include),
            release_id: r.release_id,
            disclosed_at: instant(r.disclosed_at),
            recipient: Recipient { name: r.recipient_name, organization: r.recipient_organization },
            purpose: r.purpose,
            include_mediation_notes: r.include_mediation_notes,
            from: r.from_on,
            to: r.to_on,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DisclosureList {
    pub items: Vec<DisclosureView>,
    pub next_cursor: Option<String>,
}

/// A session as disclosed: when and how it was held, and who attended (its summary is the
/// `summaries` kind, its notes need `include_mediation_notes`).
#[derive(Serialize, ToSchema)]
pub struct DisclosedSession {
    pub id: crate::domain::ids::SessionId,
    pub couple_id: Option<crate::domain::ids::CoupleId>,
    pub client_id: Option<crate::domain::ids::ClientId>,
    pub counselor_id: crate::domain::ids::UserId,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: i32,
    pub modality: crate::domain::session::Modality,
    pub status: crate::domain::session::SessionStatus,
    pub attendee_ids: Vec<crate::domain::ids::ClientId>,
}

/// A summary the counselor shared with the attendees (an unshared draft is never disclosed).
#[derive(Serialize, ToSchema)]
pub struct DisclosedSummary {
    pub session_id: crate::domain::ids::SessionId,
    pub session_starts_at: DateTime<Utc>,
    pub text: String,
    pub shared_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct DisclosedAddendum {
    pub author_id: crate::domain::ids::UserId,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// A signed mediation note (drafts are not disclosed), with its addenda.
#[derive(Serialize, ToSchema)]
pub struct DisclosedNote {
    pub id: crate::domain::ids::NoteId,
    pub session_id: crate::domain::ids::SessionId,
    pub author_id: crate::domain::ids::UserId,
    pub body: String,
    pub topics: Vec<String>,
    pub agreements: Vec<String>,
    pub risk_level: Option<crate::domain::session::RiskLevel>,
    pub signed_at: Option<DateTime<Utc>>,
    pub addenda: Vec<DisclosedAddendum>,
}

/// An activity and its logs, as a release of records carries them: a reflection only where its
/// author shared it with the partner.
#[derive(Serialize, ToSchema)]
pub struct DisclosedActivity {
    pub activity: crate::views::activities::ActivityView,
    pub logs: Vec<crate::views::activities::ActivityLogView>,
}

/// Exactly the kinds the release includes, within its window: a kind that is not included is
/// absent, not empty.
#[derive(Serialize, ToSchema, Default)]
pub struct DisclosedRecords {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sessions: Option<Vec<DisclosedSession>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summaries: Option<Vec<DisclosedSummary>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boundaries: Option<Vec<BoundaryView>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub milestones: Option<Vec<MilestoneView>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activities: Option<Vec<DisclosedActivity>>,
    /// Released letters only: the text the other partner received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub letters: Option<Vec<crate::views::letters::ReceivedLetter>>,
    /// Completed assessments only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assessments: Option<Vec<crate::views::assessments::AssessmentView>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mediation_notes: Option<Vec<DisclosedNote>>,
}

#[derive(Serialize, ToSchema)]
pub struct DisclosedView {
    pub release: ReleaseView,
    pub records: DisclosedRecords,
}

/// The disclosed records, assembled from the rows the disclosure collected
/// (`store::disclosure::collect`).
impl From<crate::store::disclosure::Collected> for DisclosedRecords {
    fn from(c: crate::store::disclosure::Collected) -> DisclosedRecords {
        use crate::views::activities::{ActivityLogView, ActivityView};
        use crate::views::assessments::AssessmentView;
        use crate::views::instant;
        use crate::views::letters::ReceivedLetter;
        DisclosedRecords {
            sessions: c.sessions.map(|rows| {
                rows.into_iter()
                    .map(|(r, attendee_ids)| DisclosedSession {
                        attendee_ids,
                        id: r.id,
                        couple_id: r.couple_id,
                        client_id: r.client_id,
                        counselor_id: r.counselor_id,
                        starts_at: instant(r.starts_at),
                        duration_minutes: r.duration_minutes,
                        modality: r.modality,
                        status: r.status,
                    })
                    .collect()
            }),
            summaries: c.summaries.map(|rows| {
                rows.into_iter()
                    .map(|r| DisclosedSummary {
                        session_id: r.session_id,
                        session_starts_at: instant(r.starts_at),
                        text: r.text,
                        shared_at: instant(r.shared_at),
                    })
                    .collect()
            }),
            boundaries: c
                .boundaries
                .map(|(rows, acks)| rows.into_iter().map(|r| BoundaryView::new(r, &acks)).collect()),
            milestones: c.milestones.map(|rows| rows.into_iter().map(MilestoneView::from).collect()),
            activities: c.activities.map(|rows| {
                rows.into_iter()
                    .map(|(r, logs)| DisclosedActivity {
                        logs: logs.into_iter().map(ActivityLogView::from).collect(),
                        activity: ActivityView::from(r),
                    })
                    .collect()
            }),
            letters: c.letters.map(|rows| rows.into_iter().map(ReceivedLetter::from).collect()),
            assessments: c.assessments.map(|rows| rows.into_iter().map(AssessmentView::from).collect()),
            mediation_notes: c.mediation_notes.map(|rows| {
                rows.into_iter()
                    .map(|(r, addenda)| DisclosedNote {
                        topics: r.topics(),
                        agreements: r.agreements(),
                        addenda: addenda
                            .into_iter()
                            .map(|a| DisclosedAddendum {
                                author_id: a.author_id,
                                body: a.body,
                                created_at: instant(a.created_at),
                            })
                            .collect(),
                        id: r.id,
                        session_id: r.session_id,
                        author_id: r.author_id,
                        body: r.body,
                        risk_level: r.risk_level,
                        signed_at: r.signed_at.map(instant),
                    })
                    .collect()
            }),
        }
    }
}
