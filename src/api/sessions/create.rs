use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use super::{attendees, view};
use crate::audit::{audited, Action, Target};
use crate::auth::Staff;
use crate::domain::ids::{ClientId, CoupleId, SessionId, UserId};
use crate::domain::session::Modality;
use crate::domain::value::parsed;
use crate::domain::value_sessions::{reference, uuid_text, Instant, Minutes};
use crate::domain::ResourceKind;
use crate::extract::{field_rule, ValidJson};
use crate::http::{created, API};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::sessions::{self, NewSession, Subject};
use crate::views::sessions::SessionView;

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "one_subject", skip_on_field_errors = false))]
pub struct CreateSessionRequest {
    /// A couple session: exactly one of `couple_id` and `client_id`.
    #[schema(value_type = Option<CoupleId>)]
    pub couple_id: Option<String>,
    /// An individual session with one client (the caller must be assigned to that client).
    #[schema(value_type = Option<ClientId>)]
    pub client_id: Option<String>,
    #[validate(custom(function = "Instant::check"))]
    #[schema(value_type = Instant)]
    pub starts_at: String,
    #[validate(custom(function = "Minutes::check"))]
    #[schema(value_type = Minutes)]
    pub duration_minutes: i32,
    pub modality: Modality,
    /// Default: both partners (or the client).
    #[schema(schema_with = super::docs::attendee_ids)]
    pub attendee_ids: Option<Vec<String>>,
    /// Default: the caller. Must be staff assigned to the couple or client.
    #[validate(custom(function = "uuid_text"))]
    #[schema(value_type = Option<UserId>)]
    pub counselor_id: Option<String>,
}

/// Exactly one of `couple_id` and `client_id`, a UUID (one error, on the field that names it).
fn one_subject(r: &CreateSessionRequest) -> Result<(), ValidationError> {
    let (field, id) = match (&r.couple_id, &r.client_id) {
        (Some(k), None) => ("couple_id", k),
        (None, Some(c)) => ("client_id", c),
        _ => return Err(field_rule("couple_id", "give exactly one of couple_id and client_id")),
    };
    uuid_text(id).map_err(|_| field_rule(field, "must be a UUID"))
}

/// The checked request.
struct Checked {
    subject: Subject,
    starts_at: Instant,
    duration: Minutes,
    modality: Modality,
    attendee_ids: Option<Vec<String>>,
    counselor_id: Option<UserId>,
}

impl TryFrom<CreateSessionRequest> for Checked {
    type Error = AppError;
    fn try_from(r: CreateSessionRequest) -> AppResult<Checked> {
        let subject = match (&r.couple_id, &r.client_id) {
            (Some(k), None) => Subject::Couple(reference("couple_id", k)?),
            (None, Some(c)) => Subject::Client(reference("client_id", c)?),
            _ => return Err(AppError::field("couple_id", "give exactly one of couple_id and client_id")),
        };
        Ok(Checked {
            subject,
            starts_at: parsed("starts_at", Instant::parse(&r.starts_at))?,
            duration: parsed("duration_minutes", Minutes::parse(r.duration_minutes))?,
            modality: r.modality,
            attendee_ids: r.attendee_ids,
            counselor_id: r.counselor_id.map(|c| reference("counselor_id", &c)).transpose()?,
        })
    }
}

/// Schedule a session. An overlapping scheduled session of the same counselor is a 409.
#[utoipa::path(post, path = "/api/v1/sessions", tag = "sessions", request_body = CreateSessionRequest,
    responses((status = 201, body = SessionView), (status = 409, body = crate::problem::Problem)))]
pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    body: ValidJson<CreateSessionRequest>,
) -> AppResult<HttpResponse> {
    let req = Checked::try_from(body.into_inner())?;
    let subject = req.subject;
    let counselor_id = req.counselor_id.unwrap_or_else(|| staff.user_id.clone());
    let id = SessionId::new();
    let view = state
        .db
        .run(move |conn| {
            // A couple or client the caller may not see is a 422 on the field; its denial is
            // recorded by `denials::first`, as for every refused body that names a record.
            audited(conn, &staff, Target::new(Action::Create, ResourceKind::Session, Some(&id)), |conn| {
                if !sessions::subject_visible(conn, &staff, &subject)? {
                    return Err(AppError::field(subject.field(), "no such couple or client on your caseload"));
                }
                let possible = sessions::possible_attendees(conn, &subject)?;
                let attendee_ids = attendees(req.attendee_ids, possible, &subject)?;
                if !sessions::staff_assigned(conn, &staff.practice_id, &subject, &counselor_id)? {
                    return Err(AppError::field("counselor_id", "must be staff assigned to this couple or client"));
                }
                let row = NewSession::scheduled(
                    id.clone(),
                    staff.practice_id.clone(),
                    &subject,
                    counselor_id,
                    req.starts_at.utc(),
                    req.duration.get(),
                    req.modality,
                );
                sessions::claim_slot(conn, &row.practice_id, &row.counselor_id, row.starts_at, row.ends_at, None)?;
                sessions::create(conn, &row, &attendee_ids)?;
                let row = sessions::find_visible(conn, &staff, &id)?;
                view(conn, row)
            })
        })
        .await?;
    let location = format!("{API}/sessions/{}", view.id);
    let version = view.version;
    Ok(created(&view, location, Some(version)))
}
