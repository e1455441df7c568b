use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{check_assignee, day};
use crate::audit::{audited_under, Action, Target};
use crate::auth::access::couple_visible;
use crate::auth::Staff;
use crate::db::new_id;
use crate::domain::activities::{
    self, Assignee, Cadence, INSTRUCTIONS_MAX, PROMPT_MAX, TIMES_MAX, TIMES_MIN, TITLE_MAX,
};
use crate::domain::text;
use crate::domain::ResourceKind;
use crate::http::{created, API};
use crate::problem::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::store::activities::{self as store, NewActivity};
use crate::views::activities::ActivityView;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateActivityRequest {
    /// 1 to 200 characters.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub title: String,
    /// Plain-language instructions for the couple; up to 5000 characters.
    #[schema(max_length = 5000)]
    pub instructions: Option<String>,
    /// `"both"`, or the id of the one partner it is for.
    #[schema(pattern = "^(both|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$")]
    pub assigned_to: String,
    pub cadence: Cadence,
    /// 1 to 14, default 1.
    #[schema(minimum = 1, maximum = 14)]
    pub times_per_period: Option<i32>,
    /// `YYYY-MM-DD`.
    #[schema(format = Date, pattern = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub starts_on: String,
    /// `YYYY-MM-DD`, not before `starts_on`.
    #[schema(format = Date, pattern = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub ends_on: Option<String>,
    /// A question for the partners' reflections; up to 1000 characters.
    #[schema(max_length = 1000)]
    pub reflection_prompt: Option<String>,
}

/// The fields of an activity, checked together (one 422 naming every bad field).
pub(crate) struct Checked {
    pub assignee: Assignee,
    pub times_per_period: i32,
}

pub(crate) fn times(value: Option<i32>) -> Result<(), FieldError> {
    match value {
        Some(n) if !(TIMES_MIN..=TIMES_MAX).contains(&n) => {
            Err(FieldError::new("times_per_period", format!("must be from {TIMES_MIN} to {TIMES_MAX}")))
        }
        _ => Ok(()),
    }
}

fn check(req: &CreateActivityRequest) -> AppResult<Checked> {
    let assignee = Assignee::parse("assigned_to", &req.assigned_to);
    let starts = day("starts_on", &req.starts_on);
    let ends = req.ends_on.as_deref().map(|e| day("ends_on", e)).transpose();
    let window = match (&starts, &ends) {
        (Ok(s), Ok(e)) => activities::window(*s, *e),
        _ => Ok(()),
    };
    text::collect([
        text::required("title", &req.title, TITLE_MAX),
        text::optional("instructions", req.instructions.as_deref(), INSTRUCTIONS_MAX),
        text::optional("reflection_prompt", req.reflection_prompt.as_deref(), PROMPT_MAX),
        times(req.times_per_period),
        assignee.clone().map(|_| ()),
        starts.map(|_| ()),
        ends.map(|_| ()),
        window,
    ])?;
    Ok(Checked {
        assignee: assignee.map_err(|e| AppError::Validation(vec![e]))?,
        times_per_period: req.times_per_period.unwrap_or(1),
    })
}

/// Assign an activity to a couple, for both partners or for one. It starts `active`.
#[utoipa::path(post, path = "/api/v1/couples/{id}/activities", tag = "activities", params(("id" = Uuid, Path)),
    request_body = CreateActivityRequest, responses((status = 201, body = ActivityView)))]
pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<Uuid>,
    body: web::Json<CreateActivityRequest>,
) -> AppResult<HttpResponse> {
    let couple_id = path.into_inner().to_string();
    let req = body.into_inner();
    let checked = check(&req)?;
    let id = new_id();
    let row = state
        .db
        .run(move |conn| {
            let target = Target::new(Action::Create, ResourceKind::Activity, Some(&id));
            let parent = Target::new(Action::Create, ResourceKind::Couple, Some(&couple_id));
            audited_under(conn, &staff, target, parent, |conn| {
                if !couple_visible(conn, &staff, &couple_id)? {
                    return Err(AppError::NotFound);
                }
                check_assignee(conn, &couple_id, &checked.assignee)?;
                let new = NewActivity {
                    id: id.clone(),
                    couple_id: couple_id.clone(),
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
