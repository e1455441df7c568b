use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::create::one;
use super::{check_assignee, day};
use crate::audit::{audited_under, Action, Target};
use crate::auth::access::couple_visible;
use crate::auth::Staff;
use crate::domain::activities::{self, ActivityId, Assignee};
use crate::domain::ids::CoupleId;
use crate::domain::ResourceKind;
use crate::extract::ValidJson;
use crate::http::{created, API};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::activities::{self as store, NewActivity};
use crate::views::activities::ActivityView;

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityFromTemplateRequest {
    /// A key from `GET /activity-templates`, such as `daily-check-in`.
    #[schema(value_type = crate::domain::activities::ActivityTemplateKey)]
    pub template: String,
    /// `YYYY-MM-DD`.
    #[validate(custom(function = "activities::check_day"))]
    #[schema(format = Date, pattern = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub starts_on: String,
    /// `"both"` (the default), or the id of the one partner it is for.
    #[validate(custom(function = "activities::check_assignee"))]
    #[schema(pattern = "^(both|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$")]
    pub assigned_to: Option<String>,
}

/// Assign a built-in activity to a couple: its title, instructions, cadence and reflection
/// prompt, starting on `starts_on`, with no end date. Edit it afterwards like any activity.
#[utoipa::path(post, path = "/api/v1/couples/{id}/activities/from-template", tag = "activities",
    params(("id" = CoupleId, Path)), request_body = ActivityFromTemplateRequest, responses((status = 201, body = ActivityView)))]
pub async fn from_template(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<CoupleId>,
    body: ValidJson<ActivityFromTemplateRequest>,
) -> AppResult<HttpResponse> {
    let couple_id = path.into_inner();
    let req = body.into_inner();
    let template =
        activities::find(&req.template).ok_or_else(|| AppError::field("template", "is not a built-in activity"))?;
    let assignee = Assignee::parse("assigned_to", req.assigned_to.as_deref().unwrap_or("both")).map_err(one)?;
    day("starts_on", &req.starts_on).map_err(one)?;
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
                check_assignee(conn, &couple_id, &assignee)?;
                let new = NewActivity {
                    id: id.to_string(),
                    couple_id: couple_id.to_string(),
                    title: template.title.into(),
                    instructions: Some(template.instructions.into()),
                    assignee_id: assignee.column(),
                    cadence: template.cadence,
                    times_per_period: template.times_per_period,
                    starts_on: req.starts_on,
                    ends_on: None,
                    reflection_prompt: Some(template.reflection_prompt.into()),
                    template_key: Some(template.key.into()),
                };
                Ok(store::create(conn, &staff.practice_id, &new)?)
            })
        })
        .await?;
    let (location, version) = (format!("{API}/activities/{}", row.id), row.version);
    Ok(created(&ActivityView::from(row), location, Some(version)))
}
