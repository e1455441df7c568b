use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{attendees, hidden_reference, view};
use crate::audit::{audited, Action, Target};
use crate::auth::Staff;
use crate::db::new_id;
use crate::domain::session::{self as domain, Modality};
use crate::domain::text;
use crate::domain::ResourceKind;
use crate::http::{created, API};
use crate::problem::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::store::sessions::{self, NewSession, Subject};
use crate::views::sessions::SessionView;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSessionRequest {
    /// A couple session: exactly one of `couple_id` and `client_id`.
    #[schema(format = Uuid)]
    pub couple_id: Option<String>,
    /// An individual session with one client (the caller must be assigned to that client).
    #[schema(format = Uuid)]
    pub client_id: Option<String>,
    /// RFC 3339 instant, e.g. `2026-11-25T14:00:00Z`.
    #[schema(format = DateTime, pattern = r"^(19|2[0-9])[0-9]{2}-")]
    pub starts_at: String,
    /// 15 to 240.
    #[schema(minimum = 15, maximum = 240)]
    pub duration_minutes: i32,
    pub modality: Modality,
    /// Default: both partners (or the client).
    #[schema(schema_with = super::docs::attendee_ids)]
    pub attendee_ids: Option<Vec<String>>,
    /// Default: the caller. Must be staff assigned to the couple or client.
    #[schema(format = Uuid)]
    pub counselor_id: Option<String>,
}

/// A reference id in a body or query: a UUID written as JSON Schema's `uuid` format has it
/// (36 characters, hyphenated, either case), answered in canonical form.
pub(crate) fn uuid_field(field: &str, value: &str) -> Result<String, FieldError> {
    let bad = || FieldError::new(field, "must be a UUID");
    if value.len() != 36 {
        return Err(bad());
    }
    uuid::Uuid::try_parse(value).map(|u| u.to_string()).map_err(|_| bad())
}

fn subject(req: &CreateSessionRequest) -> Result<Subject, FieldError> {
    match (&req.couple_id, &req.client_id) {
        (Some(k), None) => Ok(Subject::Couple(uuid_field("couple_id", k)?)),
        (None, Some(c)) => Ok(Subject::Client(uuid_field("client_id", c)?)),
        _ => Err(FieldError::new("couple_id", "give exactly one of couple_id and client_id")),
    }
}

/// Schedule a session. An overlapping scheduled session of the same counselor is a 409.
#[utoipa::path(post, path = "/api/v1/sessions", tag = "sessions", request_body = CreateSessionRequest,
    responses((status = 201, body = SessionView), (status = 409, body = crate::problem::Problem)))]
pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    body: web::Json<CreateSessionRequest>,
) -> AppResult<HttpResponse> {
    let req = body.into_inner();
    let subject = subject(&req);
    let starts_at = domain::instant("starts_at", &req.starts_at);
    let counselor = req.counselor_id.as_deref().map(|c| uuid_field("counselor_id", c)).transpose();
    text::collect([
        subject.as_ref().map(|_| ()).map_err(Clone::clone),
        starts_at.as_ref().map(|_| ()).map_err(Clone::clone),
        domain::duration("duration_minutes", req.duration_minutes).map(|_| ()),
        counselor.as_ref().map(|_| ()).map_err(Clone::clone),
    ])?;
    let one = |e: FieldError| AppError::Validation(vec![e]);
    let (subject, starts_at) = (subject.map_err(one)?, starts_at.map_err(one)?);
    let counselor_id = counselor.map_err(one)?.unwrap_or_else(|| staff.user_id.to_string());
    let id = new_id();
    let view = state
        .db
        .run_as(staff.live(), move |conn| {
            if !sessions::subject_visible(conn, &staff, &subject)? {
                return Err(hidden_reference(conn, &staff, Action::Create, &subject));
            }
            audited(conn, &staff, Target::new(Action::Create, ResourceKind::Session, Some(&id)), |conn| {
                if !sessions::subject_visible(conn, &staff, &subject)? {
                    return Err(AppError::field(subject.field(), "no such couple or client on your caseload"));
                }
                let possible = sessions::possible_attendees(conn, &subject)?;
                let attendee_ids = attendees(req.attendee_ids, possible, &subject).map_err(one)?;
                if !sessions::staff_assigned(conn, &staff.practice_id, &subject, &counselor_id)? {
                    return Err(AppError::field("counselor_id", "must be staff assigned to this couple or client"));
                }
                let ends_at = starts_at + chrono::Duration::minutes(req.duration_minutes.into());
                sessions::claim_slot(conn, &staff.practice_id, &counselor_id, starts_at, ends_at, None)?;
                sessions::create(
                    conn,
                    &NewSession {
                        id: &id,
                        practice_id: &staff.practice_id,
                        subject: &subject,
                        counselor_id: &counselor_id,
                        starts_at,
                        duration_minutes: req.duration_minutes,
                        modality: req.modality.as_str(),
                        attendee_ids: &attendee_ids,
                    },
                )?;
                let row = sessions::find_visible(conn, &staff, &id)?.ok_or(AppError::NotFound)?;
                view(conn, row)
            })
        })
        .await?;
    let location = format!("{API}/sessions/{}", view.id);
    let version = view.version;
    Ok(created(&view, location, Some(version)))
}
