use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use crate::api::boundaries::audited_under;
use crate::audit::{Action, Target};
use crate::auth::access::couple_visible;
use crate::auth::Staff;
use crate::db::now;
use crate::domain::ids::{CoupleId, MilestoneId};
use crate::domain::trust::{MilestoneStatus, MAX_POSITION};
use crate::domain::value::parsed;
use crate::domain::value_trust::{CalendarDate, MilestoneDescription, Phase, Position, Title};
use crate::domain::ResourceKind;
use crate::extract::ValidJson;
use crate::http::{created, API};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::milestones::{self, NewMilestone};
use crate::views::trust::MilestoneView;

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateMilestoneRequest {
    #[validate(custom(function = "Title::check"))]
    #[schema(value_type = Title)]
    pub title: String,
    #[validate(custom(function = "MilestoneDescription::check"))]
    #[schema(value_type = Option<MilestoneDescription>)]
    pub description: Option<String>,
    #[validate(custom(function = "Phase::check"))]
    #[schema(value_type = Phase)]
    pub phase: String,
    #[validate(custom(function = "CalendarDate::check"))]
    #[schema(value_type = Option<CalendarDate>)]
    pub target_on: Option<String>,
    /// Default true.
    pub visible_to_clients: Option<bool>,
    /// Default: after the couple's last milestone.
    #[validate(custom(function = "Position::check"))]
    #[schema(value_type = Option<Position>)]
    pub position: Option<i32>,
}

/// The checked request.
struct Checked {
    title: Title,
    description: Option<MilestoneDescription>,
    phase: Phase,
    target_on: Option<CalendarDate>,
    visible_to_clients: bool,
    position: Option<Position>,
}

impl TryFrom<CreateMilestoneRequest> for Checked {
    type Error = AppError;
    fn try_from(r: CreateMilestoneRequest) -> AppResult<Checked> {
        Ok(Checked {
            title: parsed("title", Title::parse(r.title))?,
            description: r.description.map(|v| parsed("description", MilestoneDescription::parse(v))).transpose()?,
            phase: parsed("phase", Phase::parse(r.phase))?,
            target_on: r.target_on.map(|v| parsed("target_on", CalendarDate::parse(&v))).transpose()?,
            visible_to_clients: r.visible_to_clients.unwrap_or(true),
            position: r.position.map(|v| parsed("position", Position::parse(v))).transpose()?,
        })
    }
}

/// Add a milestone to a couple's plan.
#[utoipa::path(post, operation_id = "create_milestone", path = "/api/v1/couples/{id}/milestones", tag = "milestones", params(("id" = CoupleId, Path)),
    request_body = CreateMilestoneRequest, responses((status = 201, body = MilestoneView)))]
pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<CoupleId>,
    body: ValidJson<CreateMilestoneRequest>,
) -> AppResult<HttpResponse> {
    let couple_id = path.into_inner();
    let req = Checked::try_from(body.into_inner())?;
    let id = MilestoneId::new();
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
                    Some(p) => p.get(),
                    None => milestones::next_position(conn, &couple_id)?.min(MAX_POSITION),
                };
                let at = now();
                let new = NewMilestone {
                    id: id.clone(),
                    practice_id: staff.practice_id.clone(),
                    couple_id: couple_id.clone(),
                    title: req.title,
                    description: req.description,
                    phase: req.phase,
                    status: MilestoneStatus::NotStarted,
                    target_on: req.target_on,
                    achieved_on: None,
                    visible_to_clients: req.visible_to_clients,
                    position,
                    template_key: None,
                    version: 1,
                    created_at: at,
                    updated_at: at,
                };
                Ok(milestones::create(conn, &new)?)
            })
        })
        .await?;
    let (location, version) = (format!("{API}/milestones/{}", row.id), row.version);
    Ok(created(&MilestoneView::from(row), location, Some(version)))
}
