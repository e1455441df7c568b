use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::create::position;
use crate::audit::{audited, Action, Target};
use crate::auth::Staff;
use crate::domain::date;
use crate::domain::patch::nullable;
use crate::domain::text;
use crate::domain::trust::{self, today_in, MilestoneStatus};
use crate::domain::ResourceKind;
use crate::http::{ok_versioned, IfMatch};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::milestones::{self, Changes};
use crate::store::practices;
use crate::views::trust::MilestoneView;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMilestoneRequest {
    /// 1 to 200 characters.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub title: Option<String>,
    /// Up to 2000 characters; null clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable, value_type = Option<String>, max_length = 2000)]
    pub description: Option<Option<String>>,
    /// A phase key: 1 to 50 characters of a-z, 0-9, `-` and `_`.
    #[schema(min_length = 1, max_length = 50, pattern = r"^[a-z0-9_-]{1,50}$")]
    pub phase: Option<String>,
    /// Moving to `achieved` records `achieved_on` (today in the practice's time zone unless
    /// given); moving away from `achieved` clears it.
    pub status: Option<MilestoneStatus>,
    /// `YYYY-MM-DD`; null clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable, value_type = Option<String>, format = Date, pattern = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub target_on: Option<Option<String>>,
    /// `YYYY-MM-DD`; only while the milestone is (or becomes) achieved.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable, value_type = Option<String>, format = Date, pattern = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub achieved_on: Option<Option<String>>,
    pub visible_to_clients: Option<bool>,
    /// 0 to 1000000.
    #[schema(minimum = 0, maximum = 1_000_000)]
    pub position: Option<i32>,
}

/// Edit, reorder, hide, achieve or set aside a milestone (template-made ones included).
#[utoipa::path(patch, operation_id = "update_milestone", path = "/api/v1/milestones/{id}", tag = "milestones", params(("id" = Uuid, Path)),
    request_body = UpdateMilestoneRequest, responses((status = 200, body = MilestoneView)))]
pub async fn update(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<Uuid>,
    if_match: IfMatch,
    body: web::Json<UpdateMilestoneRequest>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().to_string();
    let req = body.into_inner();
    text::collect([
        req.title.as_deref().map_or(Ok(()), |t| text::required("title", t, 200)),
        text::optional("description", req.description.as_ref().and_then(|d| d.as_deref()), 2000),
        req.phase.as_deref().map_or(Ok(()), |p| trust::phase("phase", p)),
        date::optional("target_on", req.target_on.as_ref().and_then(|d| d.as_deref())),
        date::optional("achieved_on", req.achieved_on.as_ref().and_then(|d| d.as_deref())),
        position(req.position),
    ])?;
    let row = state
        .db
        .run(move |conn| {
            audited(conn, &staff, Target::new(Action::Update, ResourceKind::Milestone, Some(&id)), |conn| {
                let current = milestones::find_visible(conn, &staff, &id)?.ok_or(AppError::NotFound)?;
                if_match.check(current.version)?;
                let was = MilestoneStatus::parse(&current.status).unwrap_or(MilestoneStatus::NotStarted);
                let status = req.status.unwrap_or(was);
                let achieved_on = if status == MilestoneStatus::Achieved {
                    match (req.achieved_on, was) {
                        (Some(Some(day)), _) => Some(day),
                        (Some(None), _) => {
                            return Err(AppError::field("achieved_on", "an achieved milestone keeps its date"))
                        }
                        (None, MilestoneStatus::Achieved) => current.achieved_on,
                        (None, _) => {
                            let tz = practices::own(conn, &staff.practice_id)?.timezone;
                            Some(today_in(&tz).format("%Y-%m-%d").to_string())
                        }
                    }
                } else {
                    if matches!(req.achieved_on, Some(Some(_))) {
                        return Err(AppError::field("achieved_on", "can only be set on an achieved milestone"));
                    }
                    None
                };
                let changes = Changes {
                    title: req.title.unwrap_or(current.title),
                    description: req.description.unwrap_or(current.description),
                    phase: req.phase.unwrap_or(current.phase),
                    status: status.as_str().to_string(),
                    target_on: req.target_on.unwrap_or(current.target_on),
                    achieved_on,
                    visible_to_clients: req.visible_to_clients.unwrap_or(current.visible_to_clients),
                    position: req.position.unwrap_or(current.position),
                };
                if !milestones::update(conn, &id, current.version, &changes)? {
                    return Err(AppError::PreconditionFailed);
                }
                milestones::find_visible(conn, &staff, &id)?.ok_or(AppError::NotFound)
            })
        })
        .await?;
    let version = row.version;
    Ok(ok_versioned(&MilestoneView::from(row), version))
}
