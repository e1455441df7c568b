use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::{audited_under, client_id, partner_rule, partners_only};
use crate::audit::{Action, Target};
use crate::auth::Staff;
use crate::db::now;
use crate::domain::ids::{BoundaryId, CheckInId, ClientId};
use crate::domain::trust::BoundaryStatus;
use crate::domain::value::parsed;
use crate::domain::value_trust::CheckInNote;
use crate::domain::ResourceKind;
use crate::extract::ValidJson;
use crate::http::{created, API};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::boundaries::{self, NewCheckIn};
use crate::store::couples;
use crate::store::names;
use crate::views::trust::CheckInView;

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCheckInRequest {
    /// The partner reporting (a partner of the boundary's couple).
    #[validate(custom(function = "partner_rule"))]
    #[schema(value_type = ClientId)]
    pub reported_by: String,
    pub kept: bool,
    #[validate(custom(function = "CheckInNote::check"))]
    #[schema(value_type = Option<CheckInNote>)]
    pub note: Option<String>,
}

/// Record, in session, a partner's report on whether the boundary was kept.
#[utoipa::path(post, operation_id = "create_boundary_check_in", path = "/api/v1/boundaries/{id}/check-ins", tag = "boundaries", params(("id" = BoundaryId, Path)),
    request_body = CreateCheckInRequest, responses((status = 201, body = CheckInView)))]
pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<BoundaryId>,
    body: ValidJson<CreateCheckInRequest>,
) -> AppResult<HttpResponse> {
    let boundary_id = path.into_inner();
    let req = body.into_inner();
    let reported_by = client_id("reported_by", &req.reported_by)?;
    let note = req.note.map(|v| parsed("note", CheckInNote::parse(v))).transpose()?;
    let id = CheckInId::new();
    let new = NewCheckIn {
        id: id.clone(),
        practice_id: staff.practice_id.clone(),
        boundary_id: boundary_id.clone(),
        reported_by,
        recorded_by: staff.user_id.clone(),
        kept: req.kept,
        note,
        created_at: now(),
    };
    let row = state
        .db
        .run(move |conn| {
            let target = Target::new(Action::Create, ResourceKind::BoundaryCheckIn, Some(&id));
            let parent = Target::new(Action::Create, ResourceKind::Boundary, Some(&boundary_id));
            audited_under(conn, &staff, target, parent, |conn| {
                let boundary = boundaries::find_visible(conn, &staff, &boundary_id)?;
                let partners = couples::partners_of(conn, &boundary.couple_id)?;
                partners_only("reported_by", std::slice::from_ref(&new.reported_by), &partners)?;
                if boundary.status == BoundaryStatus::Retired {
                    return Err(AppError::Conflict("The boundary is retired.".into()));
                }
                let row = boundaries::create_check_in(conn, &new)?;
                let names = names::clients(conn, &staff.practice_id, [row.reported_by.clone()])?;
                Ok(CheckInView::new(row, &names))
            })
        })
        .await?;
    let location = format!("{API}/boundaries/{}/check-ins", row.boundary_id);
    Ok(created(&row, location, None))
}
