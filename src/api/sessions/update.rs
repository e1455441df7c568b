use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::{attendees, view};
use crate::audit::{audited, Action, Target};
use crate::auth::Staff;
use crate::db::now;
use crate::domain::ids::{SessionId, UserId};
use crate::domain::session::{Modality, SessionStatus};
use crate::domain::value::parsed;
use crate::domain::value_sessions::{reference, uuid_text, CancellationReason, Instant, Minutes};
use crate::domain::ResourceKind;
use crate::extract::ValidJson;
use crate::http::{ok_versioned, IfMatch};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::sessions::{self, Changes};
use crate::views::sessions::SessionView;

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSessionRequest {
    /// Reschedule (only while `scheduled`; the overlap rule applies).
    #[validate(custom(function = "Instant::check"))]
    #[schema(value_type = Option<Instant>)]
    pub starts_at: Option<String>,
    /// Only while `scheduled`.
    #[validate(custom(function = "Minutes::check"))]
    #[schema(value_type = Option<Minutes>)]
    pub duration_minutes: Option<i32>,
    pub modality: Option<Modality>,
    /// Only from `scheduled` (else 409); `cancelled` needs `cancellation_reason`.
    pub status: Option<SessionStatus>,
    /// With `status: cancelled` only.
    #[validate(custom(function = "CancellationReason::check"))]
    #[schema(value_type = Option<CancellationReason>)]
    pub cancellation_reason: Option<String>,
    /// Who attends (or attended): partners of the couple, or the client.
    #[schema(schema_with = super::docs::attendee_ids)]
    pub attendee_ids: Option<Vec<String>>,
    /// Hand the session to another staff member assigned to the couple or client (while
    /// `scheduled`; the overlap rule applies to them).
    #[validate(custom(function = "uuid_text"))]
    #[schema(value_type = Option<UserId>)]
    pub counselor_id: Option<String>,
}

/// The checked request: each present field as its domain value.
struct Patch {
    starts_at: Option<Instant>,
    duration: Option<Minutes>,
    modality: Option<Modality>,
    status: Option<SessionStatus>,
    cancellation_reason: Option<CancellationReason>,
    attendee_ids: Option<Vec<String>>,
    counselor_id: Option<UserId>,
}

impl TryFrom<UpdateSessionRequest> for Patch {
    type Error = AppError;
    fn try_from(r: UpdateSessionRequest) -> AppResult<Patch> {
        Ok(Patch {
            starts_at: r.starts_at.map(|v| parsed("starts_at", Instant::parse(&v))).transpose()?,
            duration: r.duration_minutes.map(|v| parsed("duration_minutes", Minutes::parse(v))).transpose()?,
            modality: r.modality,
            status: r.status,
            cancellation_reason: r
                .cancellation_reason
                .map(|v| parsed("cancellation_reason", CancellationReason::parse(v)))
                .transpose()?,
            attendee_ids: r.attendee_ids,
            counselor_id: r.counselor_id.map(|v| reference("counselor_id", &v)).transpose()?,
        })
    }
}

/// Reschedule, reassign, change attendees or modality, or complete / cancel / mark no-show.
#[utoipa::path(patch, path = "/api/v1/sessions/{id}", tag = "sessions", params(("id" = SessionId, Path)),
    request_body = UpdateSessionRequest, responses((status = 200, body = SessionView)))]
pub async fn update(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<SessionId>,
    if_match: IfMatch,
    body: ValidJson<UpdateSessionRequest>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let req = Patch::try_from(body.into_inner())?;
    let view = state
        .db
        .run(move |conn| {
            audited(conn, &staff, Target::new(Action::Update, ResourceKind::Session, Some(&id)), |conn| {
                let current = sessions::find_visible(conn, &staff, &id)?;
                if_match.check(current.version)?;
                let status = current.status;
                let scheduled = status == SessionStatus::Scheduled;
                let moves = req.starts_at.is_some() || req.duration.is_some() || req.counselor_id.is_some();
                if !scheduled && (req.status.is_some() || moves) {
                    return Err(AppError::Conflict(format!(
                        "The session is {}; only a scheduled session changes status or time.",
                        status.as_str()
                    )));
                }
                let new_status = req.status.unwrap_or(status);
                let reason = match (new_status, req.cancellation_reason) {
                    (SessionStatus::Cancelled, Some(r)) => Some(r),
                    (SessionStatus::Cancelled, None) if scheduled => {
                        return Err(AppError::field("cancellation_reason", "is required to cancel a session"))
                    }
                    // The stored reason was checked when it was written.
                    (SessionStatus::Cancelled, None) => current
                        .cancellation_reason
                        .clone()
                        .map(|r| parsed("cancellation_reason", CancellationReason::parse(r)))
                        .transpose()?,
                    (_, Some(_)) => {
                        return Err(AppError::field("cancellation_reason", "is only given with status cancelled"))
                    }
                    (_, None) => None,
                };
                let subject = current.subject()?;
                let counselor_id = req.counselor_id.unwrap_or_else(|| current.counselor_id.clone());
                if counselor_id != current.counselor_id
                    && !sessions::staff_assigned(conn, &staff.practice_id, &subject, &counselor_id)?
                {
                    return Err(AppError::field("counselor_id", "must be staff assigned to this couple or client"));
                }
                let starts_at = req.starts_at.map_or(current.starts_at, Instant::utc);
                let duration_minutes = req.duration.map_or(current.duration_minutes, Minutes::get);
                // A session is completed (or missed) once it has begun, never ahead of time.
                let happened = matches!(new_status, SessionStatus::Completed | SessionStatus::NoShow);
                if req.status.is_some() && happened && starts_at > now() {
                    return Err(AppError::Conflict(format!(
                        "The session has not begun yet; it can be marked {} once its start time has passed \
                         (it can be cancelled at any time before).",
                        new_status.as_str()
                    )));
                }
                let changes = Changes {
                    counselor_id,
                    starts_at,
                    ends_at: starts_at + chrono::Duration::minutes(duration_minutes.into()),
                    duration_minutes,
                    modality: req.modality.unwrap_or(current.modality),
                    status: new_status,
                    cancellation_reason: reason,
                    version: current.version + 1,
                    updated_at: now(),
                };
                if moves && new_status == SessionStatus::Scheduled {
                    let (p, c) = (&staff.practice_id, &changes.counselor_id);
                    sessions::claim_slot(conn, p, c, changes.starts_at, changes.ends_at, Some(&id))?;
                }
                if let Some(requested) = req.attendee_ids {
                    let possible = sessions::possible_attendees(conn, &subject)?;
                    let ids = attendees(Some(requested), possible, &subject)?;
                    sessions::set_attendees(conn, &staff.practice_id, &id, &ids)?;
                }
                if !sessions::update(conn, &id, current.version, &changes)? {
                    return Err(AppError::PreconditionFailed);
                }
                let row = sessions::find_visible(conn, &staff, &id)?;
                view(conn, row)
            })
        })
        .await?;
    let version = view.version;
    Ok(ok_versioned(&view, version))
}
