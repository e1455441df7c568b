use actix_web::{web, HttpResponse};

use super::every;
use crate::audit::{self, Action};
use crate::auth::Actor;
use crate::auth::Staff;
use crate::db::AnyConnection;
use crate::domain::ids::{ClientId, CoupleId};
use crate::domain::ResourceKind;
use crate::fhir::{careplan, docs, respond};
use crate::problem::AppResult;
use crate::state::AppState;
use crate::store::activities::{self, ActivityRow};
use crate::store::boundaries::ts_key;
use crate::store::couples::{self, CoupleRow};
use crate::store::milestones::{self, MilestoneRow};

/// What the plan is made of, through the JSON API's queries: the couple (`NotFound` unless the
/// caller is assigned), its partners, every milestone (by position) and every activity.
pub(crate) struct Plan {
    pub couple: CoupleRow,
    pub partners: Vec<ClientId>,
    pub milestones: Vec<MilestoneRow>,
    pub activities: Vec<ActivityRow>,
}

pub(crate) fn plan(conn: &mut AnyConnection, staff: &Actor, id: &CoupleId) -> AppResult<Plan> {
    let couple = couples::find_visible(conn, staff, id)?;
    let partners = couples::partners(conn, id)?;
    let milestones = every(
        "fhir-plan-milestones",
        2,
        |r: &MilestoneRow| vec![r.position.to_string(), r.id.to_string()],
        |page| milestones::list(conn, milestones::visible(staff), Some(id), page),
    )?;
    let activities = every(
        "fhir-plan-activities",
        2,
        |r: &ActivityRow| vec![ts_key(r.created_at), r.id.clone()],
        |page| activities::list(conn, activities::visible(staff), Some(id), None, page),
    )?;
    Ok(Plan { couple, partners, milestones, activities })
}

/// The couple's trust-repair plan as a CarePlan (its id is the couple's), for the staff
/// assigned to the couple: milestones as goals, shared activities as activities.
#[utoipa::path(get, path = "/fhir/R4/CarePlan/{id}", tag = "fhir", params(("id" = CoupleId, Path)),
    responses((status = 200, description = "The CarePlan", body = docs::FhirCarePlan,
        content_type = "application/fhir+json", headers(("ETag" = String)))))]
pub async fn read(staff: Staff, state: web::Data<AppState>, path: web::Path<CoupleId>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (resource, version) = audit::read(
        &state.db,
        staff.0,
        Action::Read,
        ResourceKind::Couple,
        Some(id.to_string()),
        move |conn, staff| {
            let p = plan(conn, staff, &id)?;
            Ok((careplan::care_plan(&p.couple, &p.partners, &p.milestones, &p.activities)?, p.couple.version))
        },
    )
    .await?;
    respond(resource, Some(version))
}
