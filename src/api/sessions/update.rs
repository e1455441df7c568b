use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::create::uuid_field;
use super::{attendees, view};
use crate::audit::{audited, Action, Target};
use crate::auth::Staff;
use crate::domain::session::{self as domain, Modality, SessionStatus};
use crate::domain::text;
use crate::domain::ResourceKind;
use crate::http::{ok_versioned, IfMatch};
use crate::problem::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::store::sessions::{self, Changes};
use crate::views::sessions::SessionView;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSessionRequest {
    /// Reschedule (only while `scheduled`; the overlap rule applies).
    #[schema(format = DateTime, pattern = r"^(19|2[0-9])[0-9]{2}-")]
    pub starts_at: Option<String>,
    /// 15 to 240; only while `scheduled`.
    #[schema(minimum = 15, maximum = 240)]
    pub duration_minutes: Option<i32>,
    pub modality: Option<Modality>,
    /// Only from `scheduled` (else 409); `cancelled` needs `cancellation_reason`.
    pub status: Option<SessionStatus>,
    /// 1 to 2000 characters, with `status: cancelled` only.
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    pub cancellation_reason: Option<String>,
    /// Who attends (or attended): partners of the couple, or the client.
    #[schema(schema_with = super::docs::attendee_ids)]
    pub attendee_ids: Option<Vec<String>>,
    /// Hand the session to another staff member assigned to the couple or client (while
    /// `scheduled`; the overlap rule applies to them).
    #[schema(format = Uuid)]
    pub counselor_id: Option<String>,
}

/// Reschedule, reassign, change attendees or modality, or complete / cancel / mark no-show.
#[utoipa::path(patch, path = "/api/v1/sessions/{id}", tag = "sessions", params(("id" = Uuid, Path)),
    request_body = UpdateSessionRequest, responses((status = 200, body = SessionView)))]
pub async fn update(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<Uuid>,
    if_match: IfMatch,
    body: web::Json<UpdateSessionRequest>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().to_string();
    let req = body.into_inner();
    let starts_at = req.starts_at.as_deref().map(|v| domain::instant("starts_at", v)).transpose();
    let counselor = req.counselor_id.as_deref().map(|c| uuid_field("counselor_id", c)).transpose();
    text::collect([
        starts_at.as_ref().map(|_| ()).map_err(Clone::clone),
        req.duration_minutes.map_or(Ok(()), |d| domain::duration("duration_minutes", d).map(|_| ())),
        counselor.as_ref().map(|_| ()).map_err(Clone::clone),
        req.cancellation_reason.as_deref().map_or(Ok(()), |r| text::required("cancellation_reason", r, 2000)),
    ])?;
    let one = |e: FieldError| AppError::Validation(vec![e]);
    let (starts_at, counselor) = (starts_at.map_err(one)?, counselor.map_err(one)?);
    let view = state
        .db
        .run(move |conn| {
            audited(conn, &staff, Target::new(Action::Update, ResourceKind::Session, Some(&id)), |conn| {
                let current = sessions::find_visible(conn, &staff, &id)?.ok_or(AppError::NotFound)?;
                if_match.check(current.version)?;
                let status = current.status().ok_or_else(|| AppError::internal("bad session status"))?;
                let scheduled = status == SessionStatus::Scheduled;
                let moves = starts_at.is_some() || req.duration_minutes.is_some() || counselor.is_some();
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
                    (SessionStatus::Cancelled, None) => current.cancellation_reason.clone(),
                    (_, Some(_)) => {
                        return Err(AppError::field("cancellation_reason", "is only given with status cancelled"))
                    }
                    (_, None) => None,
                };
                let subject = current.subject();
                let counselor_id = counselor.unwrap_or_else(|| current.counselor_id.clone());
                if counselor_id != current.counselor_id
                    && !sessions::staff_assigned(conn, &staff.practice_id, &subject, &counselor_id)?
                {
                    return Err(AppError::field("counselor_id", "must be staff assigned to this couple or client"));
                }
                let changes = Changes {
                    starts_at: starts_at.unwrap_or(current.starts_at),
                    duration_minutes: req.duration_minutes.unwrap_or(current.duration_minutes),
                    modality: req.modality.map_or(current.modality.clone(), |m| m.as_str().to_string()),
                    status: new_status.as_str().to_string(),
                    cancellation_reason: reason,
                    counselor_id,
                };
                if moves && new_status == SessionStatus::Scheduled {
                    let ends_at = changes.starts_at + chrono::Duration::minutes(changes.duration_minutes.into());
                    let (p, c) = (&staff.practice_id, &changes.counselor_id);
                    sessions::claim_slot(conn, p, c, changes.starts_at, ends_at, Some(&id))?;
                }
                if let Some(requested) = req.attendee_ids {
                    let possible = sessions::possible_attendees(conn, &subject)?;
                    let ids = attendees(Some(requested), possible, &subject).map_err(one)?;
                    sessions::set_attendees(conn, &staff.practice_id, &id, &ids)?;
                }
                if !sessions::update(conn, &id, current.version, &changes)? {
                    return Err(AppError::PreconditionFailed);
                }
                let row = sessions::find_visible(conn, &staff, &id)?.ok_or(AppError::NotFound)?;
                view(conn, row)
            })
        })
        .await?;
    let version = view.version;
    Ok(ok_versioned(&view, version))
}
