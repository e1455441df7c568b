use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use crate::api::activities::{check_log_day, day};
use crate::audit::{audited_under, Action, Target};
use crate::auth::PortalClient;
use crate::domain::activities::{ActivityId, ActivityLogId, ActivityStatus, Reflection};
use crate::domain::ResourceKind;
use crate::extract::ValidJson;
use crate::http::{created, API};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::activities::{self as store, NewLog};
use crate::views::activities::PortalLog;

/// The partner logging is always the caller.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PortalLogRequest {
    /// `YYYY-MM-DD`: not in the future, not before the activity starts or after it ends.
    #[validate(custom(function = "crate::domain::activities::check_day"))]
    #[schema(format = Date, pattern = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub done_on: String,
    pub completed: bool,
    /// Up to 5000 characters. The counselor reads it; the other partner only if shared.
    #[validate(custom(function = "Reflection::check"))]
    #[schema(value_type = Option<Reflection>)]
    pub reflection: Option<String>,
    /// Show the reflection to the other partner too (default false).
    pub share_with_partner: Option<bool>,
}

/// Log an activity for a day. One log per partner, activity and day (a second is 409); only
/// while the activity is `active` (409).
#[utoipa::path(post, path = "/api/v1/portal/activities/{id}/logs", tag = "portal", params(("id" = ActivityId, Path)),
    request_body = PortalLogRequest, responses((status = 201, body = PortalLog)))]
pub async fn create(
    state: web::Data<AppState>,
    client: PortalClient,
    path: web::Path<ActivityId>,
    body: ValidJson<PortalLogRequest>,
) -> AppResult<HttpResponse> {
    let activity_id = path.into_inner();
    let req = body.into_inner();
    let done_on = day("done_on", &req.done_on).map_err(|e| AppError::Validation(vec![e]))?;
    let id = ActivityLogId::new();
    let row = state
        .db
        .run(move |conn| {
            let target = Target::new(Action::Log, ResourceKind::ActivityLog, Some(id.as_str()));
            let parent = Target::new(Action::Log, ResourceKind::Activity, Some(activity_id.as_str()));
            audited_under(conn, &client, target, parent, |conn| {
                let me = client.client_id.clone().ok_or(AppError::NotFound)?;
                // The scope holds only activities for both partners or for the caller.
                let activity = store::find_for_client(conn, &client, &activity_id)?.ok_or(AppError::NotFound)?;
                if activity.status != ActivityStatus::Active {
                    return Err(AppError::Conflict(format!(
                        "The activity is {}; logs are taken only while it is active.",
                        activity.status
                    )));
                }
                check_log_day(conn, &client.practice_id, done_on, &activity.starts_on, activity.ends_on.as_deref())?;
                let day = done_on.format("%Y-%m-%d").to_string();
                if store::logged_on(conn, &activity_id, &me, &day)? {
                    return Err(AppError::Conflict("You already logged this activity for that day.".into()));
                }
                Ok(store::create_log(
                    conn,
                    &NewLog {
                        id: &id,
                        practice_id: &client.practice_id,
                        activity_id: &activity_id,
                        client_id: &me,
                        recorded_by: &client.user_id,
                        done_on: &day,
                        completed: req.completed,
                        reflection: req.reflection.as_deref(),
                        shared_with_partner: req.share_with_partner.unwrap_or(false),
                    },
                )?)
            })
        })
        .await?;
    let location = format!("{API}/portal/activities/{}/logs", row.activity_id);
    Ok(created(&PortalLog::from(row), location, None))
}
