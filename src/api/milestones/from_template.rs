use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::api::boundaries::audited_under;
use crate::audit::{record, Action, Outcome, Target};
use crate::auth::access::couple_visible;
use crate::auth::Staff;
use crate::db::now;
use crate::domain::ids::{CoupleId, MilestoneId};
use crate::domain::templates::{self, Template};
use crate::domain::trust::{MilestoneStatus, MAX_POSITION};
use crate::domain::value_trust::{MilestoneDescription, Phase, Title};
use crate::domain::ResourceKind;
use crate::extract::{ValidJson, ValidQuery};
use crate::http::{created, API};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::milestones::{self, NewMilestone};
use crate::views::trust::{CreatedMilestones, MilestoneView};

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FromTemplateRequest {
    /// A key from `GET /milestone-templates`, such as `trust-repair`.
    #[validate(custom(function = "templates::check"))]
    #[schema(value_type = crate::domain::templates::TemplateKey)]
    pub template: String,
}

impl TryFrom<FromTemplateRequest> for &'static Template {
    type Error = AppError;
    fn try_from(r: FromTemplateRequest) -> AppResult<&'static Template> {
        templates::find(&r.template).ok_or_else(|| AppError::field("template", templates::UNKNOWN))
    }
}

/// A plan's step as a new row (built-in data: a step that breaks a rule is a bug, a 500).
fn step_row(
    template: &'static Template,
    step: &'static templates::TemplateMilestone,
    couple_id: &CoupleId,
    practice_id: &crate::domain::ids::PracticeId,
    position: i32,
) -> AppResult<NewMilestone> {
    let at = now();
    Ok(NewMilestone {
        id: MilestoneId::new(),
        practice_id: practice_id.clone(),
        couple_id: couple_id.clone(),
        title: Title::parse(step.title).map_err(AppError::internal)?,
        description: Some(MilestoneDescription::parse(step.description).map_err(AppError::internal)?),
        phase: Phase::parse(step.phase).map_err(AppError::internal)?,
        status: MilestoneStatus::NotStarted,
        target_on: None,
        achieved_on: None,
        visible_to_clients: true,
        position,
        template_key: Some(template.key),
        version: 1,
        created_at: at,
        updated_at: at,
    })
}

#[derive(Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FromTemplateQuery {
    /// Apply a plan the couple already has again: the earlier copy's milestones that are not
    /// achieved are set aside (achieved ones stay, nothing is deleted) and a fresh copy is added.
    pub replace: Option<bool>,
}

/// Add a built-in plan's milestones to a couple, in the plan's order, after any milestones the
/// couple already has. Applying a plan the couple already has is 409 unless `replace=true`.
/// The milestones are ordinary milestones afterwards: edit, reorder or set aside any of them.
#[utoipa::path(post, operation_id = "apply_milestone_template", path = "/api/v1/couples/{id}/milestones/from-template", tag = "milestones",
    params(("id" = CoupleId, Path), FromTemplateQuery), request_body = FromTemplateRequest,
    responses((status = 201, body = CreatedMilestones)))]
pub async fn from_template(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<CoupleId>,
    query: ValidQuery<FromTemplateQuery>,
    body: ValidJson<FromTemplateRequest>,
) -> AppResult<HttpResponse> {
    let couple_id = path.into_inner();
    let replace = query.into_inner().replace.unwrap_or(false);
    let template = <&'static Template>::try_from(body.into_inner())?;
    let location = format!("{API}/couples/{couple_id}/milestones");
    let rows = state
        .db
        .run(move |conn| {
            // One event for the application, on the couple, and one per milestone changed or made.
            let target = Target::new(Action::Create, ResourceKind::Milestone, Some(&couple_id));
            let ctx = staff.audit_context();
            audited_under(conn, &staff, target, target, |conn| {
                if !couple_visible(conn, &staff, &couple_id)? {
                    return Err(AppError::NotFound);
                }
                if milestones::template_applied(conn, &couple_id, template.key)? {
                    if !replace {
                        return Err(AppError::Conflict(
                            "This plan is already applied to the couple; add ?replace=true to start it afresh.".into(),
                        ));
                    }
                    for id in milestones::set_aside_template(conn, &couple_id, template.key)? {
                        record(conn, &ctx, Action::Update, ResourceKind::Milestone, Some(&id), Outcome::Success)?;
                    }
                }
                let start = milestones::next_position(conn, &couple_id)?;
                let mut rows = Vec::with_capacity(template.milestones.len());
                for (i, m) in template.milestones.iter().enumerate() {
                    let position = start.saturating_add(i as i32).min(MAX_POSITION);
                    let new = step_row(template, m, &couple_id, &staff.practice_id, position)?;
                    let row = milestones::create(conn, &new)?;
                    record(conn, &ctx, Action::Create, ResourceKind::Milestone, Some(&row.id), Outcome::Success)?;
                    rows.push(row);
                }
                Ok(rows)
            })
        })
        .await?;
    let body = CreatedMilestones { items: rows.into_iter().map(MilestoneView::from).collect() };
    Ok(created(&body, location, None))
}
