use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::boundaries::audited_under;
use crate::audit::{Action, Target};
use crate::auth::access::couple_visible;
use crate::auth::Staff;
use crate::db::new_id;
use crate::domain::date;
use crate::domain::text;
use crate::domain::trust::{self, MAX_POSITION};
use crate::domain::ResourceKind;
use crate::http::{created, API};
use crate::problem::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::store::milestones::{self, NewMilestone};
use crate::views::trust::MilestoneView;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateMilestoneRequest {
    /// 1 to 200 characters.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub title: String,
    /// Up to 2000 characters.
    #[schema(max_length = 2000)]
    pub description: Option<String>,
    /// A phase key: 1 to 50 characters of a-z, 0-9, `-` and `_` (such as `amends`).
    #[schema(min_length = 1, max_length = 50, pattern = r"^[a-z0-9_-]{1,50}$")]
    pub phase: String,
    /// `YYYY-MM-DD`.
    #[schema(format = Date, pattern = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub target_on: Option<String>,
    /// Default true.
    pub visible_to_clients: Option<bool>,
    /// 0 to 1000000; default: after the couple's last milestone.
    #[schema(minimum = 0, maximum = 1_000_000)]
    pub position: Option<i32>,
}

pub(crate) fn position(value: Option<i32>) -> Result<(), FieldError> {
    match value {
        Some(p) if !(0..=MAX_POSITION).contains(&p) => {
            Err(FieldError::new("position", format!("must be from 0 to {MAX_POSITION}")))
        }
        _ => Ok(()),
    }
}

/// Add a milestone to a couple's plan.
#[utoipa::path(post, operation_id = "create_milestone", path = "/api/v1/couples/{id}/milestones", tag = "milestones", params(("id" = Uuid, Path)),
    request_body = CreateMilestoneRequest, responses((status = 201, body = MilestoneView)))]
pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<Uuid>,
    body: web::Json<CreateMilestoneRequest>,
) -> AppResult<HttpResponse> {
    let couple_id = path.into_inner().to_string();
    let req = body.into_inner();
    text::collect([
        text::required("title", &req.title, 200),
        text::optional("description", req.description.as_deref(), 2000),
        trust::phase("phase", &req.phase),
        date::optional("target_on", req.target_on.as_deref()),
        position(req.position),
    ])?;
    let id = new_id();
    let row = state
        .db
        .run(move |conn| {
            let target = Target::new(Action::Create, ResourceKind::Milestone, Some(&id));
            let parent = Target::new(Action::Create, ResourceKind::Couple, Some(&couple_id));
            audited_under(conn, &staff, target, parent, |conn| {
                if !couple_visible(conn, &staff, &couple_id)? {
                    return Err(AppError::NotFound);
                }
                let position = match req.position {
                    Some(p) => p,
                    None => milestones::next_position(conn, &couple_id)?.min(MAX_POSITION),
                };
                let new = NewMilestone {
                    id: id.clone(),
                    couple_id: couple_id.clone(),
                    title: req.title,
                    description: req.description,
                    phase: req.phase,
                    target_on: req.target_on,
                    visible_to_clients: req.visible_to_clients.unwrap_or(true),
                    position,
                    template_key: None,
                };
                Ok(milestones::create(conn, &staff.practice_id, &new)?)
            })
        })
        .await?;
    let (location, version) = (format!("{API}/milestones/{}", row.id), row.version);
    Ok(created(&MilestoneView::from(row), location, Some(version)))
}
