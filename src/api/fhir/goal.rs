use actix_web::{web, HttpRequest, HttpResponse};

use super::SubjectSearch;
use crate::audit::{self, Action};
use crate::auth::access::couple_visible;
use crate::auth::Staff;
use crate::domain::ids::MilestoneId;
use crate::domain::ResourceKind;
use crate::extract::ValidQuery;
use crate::fhir::bundle::Entry;
use crate::fhir::{docs, goal, respond};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::milestones;
use crate::store::sessions::Subject;

/// A milestone as a Goal, for the staff assigned to its couple (as `GET /api/v1/milestones/{id}`).
#[utoipa::path(get, path = "/fhir/R4/Goal/{id}", tag = "fhir", params(("id" = MilestoneId, Path)),
    responses((status = 200, description = "The Goal", body = docs::FhirGoal,
        content_type = "application/fhir+json", headers(("ETag" = String)))))]
pub async fn read(staff: Staff, state: web::Data<AppState>, path: web::Path<MilestoneId>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (resource, version) = audit::read(
        &state.db,
        staff.0,
        Action::Read,
        ResourceKind::Milestone,
        Some(id.to_string()),
        move |conn, staff| {
            let row = milestones::find_visible(conn, staff, &id)?;
            Ok((goal::goal(&row)?, row.version))
        },
    )
    .await?;
    respond(resource, Some(version))
}

/// A couple's milestones (`subject=Group/{id}`), ordered by position, as
/// `GET /api/v1/couples/{id}/milestones` does (hidden and set-aside ones included).
#[utoipa::path(get, path = "/fhir/R4/Goal", tag = "fhir", params(SubjectSearch),
    responses((status = 200, description = "A searchset Bundle of Goals", body = docs::FhirBundle,
        content_type = "application/fhir+json")))]
pub async fn search(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    query: ValidQuery<SubjectSearch>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let Subject::Couple(couple_id) = q.subject(false)? else {
        return Err(AppError::field("subject", "must be Group/{id}"));
    };
    let page = q.page("fhir-goals", 2)?;
    let base = super::base_url(&req);
    let (entries, cursor) = audit::read(
        &state.db,
        staff.0,
        Action::List,
        ResourceKind::Milestone,
        Some(couple_id.to_string()),
        move |conn, staff| {
            if !couple_visible(conn, staff, &couple_id)? {
                return Err(AppError::NotFound);
            }
            let rows = milestones::list(conn, milestones::visible(staff), Some(&couple_id), &page)?;
            let page = page.finish(rows, |r| vec![r.position.to_string(), r.id.to_string()], |r| r);
            let entries =
                page.items.iter().map(|r| Entry::new(&base, goal::goal(r)?)).collect::<AppResult<Vec<_>>>()?;
            Ok((entries, page.next_cursor))
        },
    )
    .await?;
    q.answer(&req, "Goal", entries, cursor)
}
