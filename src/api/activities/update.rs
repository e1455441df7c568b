use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::create::one;
use super::{check_assignee, stored_day};
use crate::audit::{audited, Action, Target};
use crate::auth::Staff;
use crate::domain::activities::{
    self, ActivityId, ActivityStatus, ActivityTitle, Assignee, Cadence, Instructions, ReflectionPrompt,
};
use crate::domain::patch::{not_null, nullable};
use crate::domain::ResourceKind;
use crate::extract::ValidJson;
use crate::http::{ok_versioned, IfMatch};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::activities::{self as store, Changes};
use crate::views::activities::ActivityView;

/// Absent fields stay as they are; the nullable ones are cleared with `null`.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateActivityRequest {
    #[serde(default, deserialize_with = "nullable")]
    #[validate(custom(function = "ActivityTitle::check"))]
    #[schema(value_type = ActivityTitle)]
    pub title: Option<Option<String>>,
    /// Null clears them.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(custom(function = "Instructions::check"))]
    #[schema(value_type = Option<Instructions>)]
    pub instructions: Option<Option<String>>,
    /// `"both"`, or the id of the one partner it is for.
    #[validate(custom(function = "activities::check_assignee"))]
    #[schema(pattern = "^(both|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$")]
    pub assigned_to: Option<String>,
    pub cadence: Option<Cadence>,
    /// 1 to 14.
    #[validate(custom(function = "activities::check_times"))]
    #[schema(minimum = 1, maximum = 14)]
    pub times_per_period: Option<i32>,
    /// `YYYY-MM-DD`.
    #[validate(custom(function = "activities::check_day"))]
    #[schema(format = Date, pattern = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub starts_on: Option<String>,
    /// `YYYY-MM-DD`, not before `starts_on`; null clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(custom(function = "activities::check_day"))]
    #[schema(nullable, value_type = Option<String>, format = Date, pattern = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub ends_on: Option<Option<String>>,
    /// Null clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(custom(function = "ReflectionPrompt::check"))]
    #[schema(value_type = Option<ReflectionPrompt>)]
    pub reflection_prompt: Option<Option<String>>,
    /// `active`, `paused`, `completed` or `retired`; a retired activity cannot change (409).
    pub status: Option<ActivityStatus>,
}

/// Change an activity: its wording, who it is for, cadence, window or status. Partners log
/// only while it is `active`.
#[utoipa::path(patch, path = "/api/v1/activities/{id}", tag = "activities", params(("id" = ActivityId, Path)),
    request_body = UpdateActivityRequest, responses((status = 200, body = ActivityView)))]
pub async fn update(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<ActivityId>,
    if_match: IfMatch,
    body: ValidJson<UpdateActivityRequest>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let req = body.into_inner();
    // The fields passed their rules (`ValidJson`); a title may not be cleared.
    let title = not_null("title", req.title).map_err(one)?;
    let assignee = req.assigned_to.as_deref().map(|a| Assignee::parse("assigned_to", a)).transpose().map_err(one)?;
    let view = state
        .db
        .run(move |conn| {
            audited(conn, &staff, Target::new(Action::Update, ResourceKind::Activity, Some(id.as_str())), |conn| {
                let current = store::find_visible(conn, &staff, &id)?.ok_or(AppError::NotFound)?;
                if_match.check(current.version)?;
                if current.status == ActivityStatus::Retired {
                    return Err(AppError::Conflict("A retired activity cannot change.".into()));
                }
                if let Some(a) = &assignee {
                    check_assignee(conn, &current.couple_id, a)?;
                }
                let changes = Changes {
                    title: title.unwrap_or(current.title),
                    instructions: req.instructions.unwrap_or(current.instructions),
                    assignee_id: assignee.map_or(current.assignee_id, |a| a.column()),
                    cadence: req.cadence.unwrap_or(current.cadence),
                    times_per_period: req.times_per_period.unwrap_or(current.times_per_period),
                    starts_on: req.starts_on.unwrap_or(current.starts_on),
                    ends_on: req.ends_on.unwrap_or(current.ends_on),
                    reflection_prompt: req.reflection_prompt.unwrap_or(current.reflection_prompt),
                    status: req.status.unwrap_or(current.status),
                };
                let ends = changes.ends_on.as_deref().map(stored_day).transpose()?;
                activities::window(stored_day(&changes.starts_on)?, ends).map_err(|e| AppError::Validation(vec![e]))?;
                if !store::update(conn, &id, current.version, &changes)? {
                    return Err(AppError::PreconditionFailed);
                }
                store::find_visible(conn, &staff, &id)?.map(ActivityView::from).ok_or(AppError::NotFound)
            })
        })
        .await?;
    let version = view.version;
    Ok(ok_versioned(&view, version))
}
