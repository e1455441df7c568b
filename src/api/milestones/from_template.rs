use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::api::boundaries::audited_under;
use crate::audit::{record, Action, Outcome, Target};
use crate::auth::access::couple_visible;
use crate::auth::Staff;
use crate::db::new_id;
use crate::domain::templates;
use crate::domain::trust::MAX_POSITION;
use crate::domain::ResourceKind;
use crate::http::{created, API};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::milestones::{self, NewMilestone};
use crate::views::trust::{CreatedMilestones, MilestoneView};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FromTemplateRequest {
    /// A key from `GET /milestone-templates`, such as `trust-repair`.
    #[schema(value_type = crate::domain::templates::TemplateKey)]
    pub template: String,
}

#[derive(Deserialize, IntoParams)]
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
    params(("id" = Uuid, Path), FromTemplateQuery), request_body = FromTemplateRequest,
    responses((status = 201, body = CreatedMilestones)))]
pub async fn from_template(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<Uuid>,
    query: web::Query<FromTemplateQuery>,
    body: web::Json<FromTemplateRequest>,
) -> AppResult<HttpResponse> {
    let couple_id = path.into_inner().to_string();
    let replace = query.into_inner().replace.unwrap_or(false);
    let template = templates::find(&body.template).ok_or_else(|| AppError::field("template", "is not a known plan"))?;
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
                    let new = NewMilestone {
                        id: new_id(),
                        couple_id: couple_id.clone(),
                        title: m.title.into(),
                        description: Some(m.description.into()),
                        phase: m.phase.into(),
                        target_on: None,
                        visible_to_clients: true,
                        position: start.saturating_add(i as i32).min(MAX_POSITION),
                        template_key: Some(template.key.into()),
                    };
                    let row = milestones::create(conn, &staff.practice_id, &new)?;
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
