use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::{check_assignee, day};
use crate::audit::{audited_under, Action, Target};
use crate::auth::access::couple_visible;
use crate::auth::Staff;
use crate::domain::activities::{self, ActivityId, ActivityTitle, Assignee, Cadence, Instructions, ReflectionPrompt};
use crate::domain::ids::CoupleId;
use crate::domain::ResourceKind;
use crate::extract::ValidJson;
use crate::http::{created, API};
use crate::problem::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::store::activities::{self as store, NewActivity};
use crate::views::activities::ActivityView;

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateActivityRequest {
    #[validate(custom(function = "ActivityTitle::check"))]
    #[schema(value_type = ActivityTitle)]
    pub title: String,
    #[validate(custom(function = "Instructions::check"))]
    #[schema(value_type = Option<Instructions>)]
    pub instructions: Option<String>,
    /// `"both"`, or the id of the one partner it is for.
    #[validate(custom(function = "activities::check_assignee"))]
    #[schema(pattern = "^(both|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$")]
    pub assigned_to: String,
    pub cadence: Cadence,
    /// 1 to 14, default 1.
    #[validate(custom(function = "activities::check_times"))]
    #[schema(minimum = 1, maximum = 14)]
    pub times_per_period: Option<i32>,
    /// `YYYY-MM-DD`.
    #[validate(custom(function = "activities::check_day"))]
    #[schema(format = Date, pattern = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub starts_on: String,
    /// `YYYY-MM-DD`, not before `starts_on`.
    #[validate(custom(function = "activities::check_day"))]
    #[schema(format = Date, pattern = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub ends_on: Option<String>,
    #[validate(custom(function = "ReflectionPrompt::check"))]
    #[schema(value_type = Option<ReflectionPrompt>)]
    pub reflection_prompt: Option<String>,
}

/// The fields of an activity that need more than their own rule.
pub(crate) struct Checked {
    pub assignee: Assignee,
    pub times_per_period: i32,
}

/// The request's fields passed their rules (`ValidJson`); what is left is the window.
fn check(req: &CreateActivityRequest) -> AppResult<Checked> {
    let starts = day("starts_on", &req.starts_on).map_err(one)?;
    let ends = req.ends_on.as_deref().map(|e| day("ends_on", e)).transpose().map_err(one)?;
    activities::window(starts, ends).map_err(one)?;
    Ok(Checked {
        assignee: Assignee::parse("assigned_to", &req.assigned_to).map_err(one)?,
        times_per_period: req.times_per_period.unwrap_or(1),
    })
}

/// One field's error as the 422.
pub(crate) fn one(e: FieldError) -> AppError {
    AppError::Validation(vec![e])
}

/// Assign an activity to a couple, for both partners or for one. It starts `active`.
#[utoipa::path(post, path = "/api/v1/couples/{id}/activities", tag = "activities", params(("id" = CoupleId, Path)),
    request_body = CreateActivityRequest, responses((status = 201, body = ActivityView)))]
pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<CoupleId>,
    body: ValidJson<CreateActivityRequest>,
) -> AppResult<HttpResponse> {
    let couple_id = path.into_inner();
    let req = body.into_inner();
    let checked = check(&req)?;
    let id = ActivityId::new();
    let row = state
        .db
        .run(move |conn| {
            let target = Target::new(Action::Create, ResourceKind::Activity, Some(id.as_str()));
            let parent = Target::new(Action::Create, ResourceKind::Couple, Some(couple_id.as_str()));
            audited_under(conn, &staff, target, parent, |conn| {
                if !couple_visible(conn, &staff, &couple_id)? {
                    return Err(AppError::NotFound);
                }
                check_assignee(conn, &couple_id, &checked.assignee)?;
                let new = NewActivity {
                    id: id.to_string(),
                    couple_id: couple_id.to_string(),
                    title: req.title,
                    instructions: req.instructions,
                    assignee_id: checked.assignee.column(),
                    cadence: req.cadence,
                    times_per_period: checked.times_per_period,
                    starts_on: req.starts_on,
                    ends_on: req.ends_on,
                    reflection_prompt: req.reflection_prompt,
                    template_key: None,
                };
                Ok(store::create(conn, &staff.practice_id, &new)?)
            })
        })
        .await?;
    let (location, version) = (format!("{API}/activities/{}", row.id), row.version);
    Ok(created(&ActivityView::from(row), location, Some(version)))
}
