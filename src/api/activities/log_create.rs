use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::{check_log_day, day};
use crate::audit::{audited_under, Action, Target};
use crate::auth::Staff;
use crate::domain::activities::{ActivityId, ActivityLogId, Assignee, Reflection};
use crate::domain::ResourceKind;
use crate::extract::ValidJson;
use crate::http::{created, API};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::activities::{self as store, NewLog};
use crate::store::couples;
use crate::views::activities::ActivityLogView;

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateActivityLogRequest {
    /// The partner whose log it is (an assignee of the activity).
    pub client_id: crate::domain::ids::ClientId,
    /// `YYYY-MM-DD`: within the activity's window, not in the future.
    #[validate(custom(function = "crate::domain::activities::check_day"))]
    #[schema(format = Date, pattern = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub done_on: String,
    pub completed: bool,
    /// Up to 5000 characters; for the counselor only (a log recorded in session is not shared
    /// with the other partner).
    #[validate(custom(function = "Reflection::check"))]
    #[schema(value_type = Option<Reflection>)]
    pub reflection: Option<String>,
}

/// Record, in session, a partner's log of an activity. One log per partner and day (409).
#[utoipa::path(post, path = "/api/v1/activities/{id}/logs", tag = "activities", params(("id" = ActivityId, Path)),
    request_body = CreateActivityLogRequest, responses((status = 201, body = ActivityLogView)))]
pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<ActivityId>,
    body: ValidJson<CreateActivityLogRequest>,
) -> AppResult<HttpResponse> {
    let activity_id = path.into_inner();
    let req = body.into_inner();
    let done_on = day("done_on", &req.done_on).map_err(|e| AppError::Validation(vec![e]))?;
    let client_id = req.client_id.to_string();
    let id = ActivityLogId::new();
    let row = state
        .db
        .run(move |conn| {
            let target = Target::new(Action::Log, ResourceKind::ActivityLog, Some(id.as_str()));
            let parent = Target::new(Action::Log, ResourceKind::Activity, Some(activity_id.as_str()));
            audited_under(conn, &staff, target, parent, |conn| {
                let activity = store::find_visible(conn, &staff, &activity_id)?.ok_or(AppError::NotFound)?;
                let assignee_ok = match Assignee::from_column(activity.assignee_id.clone()) {
                    Assignee::Both => couples::partners_of(conn, &activity.couple_id)?.contains(&client_id),
                    Assignee::Partner(p) => p == client_id,
                };
                if !assignee_ok {
                    return Err(AppError::field("client_id", "must be a partner this activity is for"));
                }
                check_log_day(conn, &staff.practice_id, done_on, &activity.starts_on, activity.ends_on.as_deref())?;
                let day = done_on.format("%Y-%m-%d").to_string();
                if store::logged_on(conn, &activity_id, &client_id, &day)? {
                    return Err(AppError::Conflict("This partner already has a log for that day.".into()));
                }
                Ok(store::create_log(
                    conn,
                    &NewLog {
                        id: &id,
                        practice_id: &staff.practice_id,
                        activity_id: &activity_id,
                        client_id: &client_id,
                        recorded_by: &staff.user_id,
                        done_on: &day,
                        completed: req.completed,
                        reflection: req.reflection.as_deref(),
                        shared_with_partner: false,
                    },
                )?)
            })
        })
        .await?;
    let location = format!("{API}/activities/{}/logs", row.activity_id);
    Ok(created(&ActivityLogView::from(row), location, None))
}
