use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{audited_under, partners_only};
use crate::audit::{Action, Target};
use crate::auth::Staff;
use crate::db::new_id;
use crate::domain::text;
use crate::domain::trust::BoundaryStatus;
use crate::domain::ResourceKind;
use crate::http::{created, API};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::boundaries::{self, NewCheckIn};
use crate::store::couples;
use crate::views::trust::CheckInView;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCheckInRequest {
    /// The partner reporting (a partner of the boundary's couple).
    #[schema(format = Uuid)]
    pub reported_by: String,
    pub kept: bool,
    /// Up to 2000 characters.
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// Record, in session, a partner's report on whether the boundary was kept.
#[utoipa::path(post, operation_id = "create_boundary_check_in", path = "/api/v1/boundaries/{id}/check-ins", tag = "boundaries", params(("id" = Uuid, Path)),
    request_body = CreateCheckInRequest, responses((status = 201, body = CheckInView)))]
pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<Uuid>,
    body: web::Json<CreateCheckInRequest>,
) -> AppResult<HttpResponse> {
    let boundary_id = path.into_inner().to_string();
    let req = body.into_inner();
    text::collect([text::optional("note", req.note.as_deref(), 2000)])?;
    let id = new_id();
    let row = state
        .db
        .run(move |conn| {
            let target = Target::new(Action::Create, ResourceKind::BoundaryCheckIn, Some(&id));
            let parent = Target::new(Action::Create, ResourceKind::Boundary, Some(&boundary_id));
            audited_under(conn, &staff, target, parent, |conn| {
                let boundary = boundaries::find_visible(conn, &staff, &boundary_id)?.ok_or(AppError::NotFound)?;
                let partners = couples::partners_of(conn, &boundary.couple_id)?;
                partners_only("reported_by", std::slice::from_ref(&req.reported_by), &partners)?;
                if boundary.status == BoundaryStatus::Retired.as_str() {
                    return Err(AppError::Conflict("The boundary is retired.".into()));
                }
                Ok(boundaries::create_check_in(
                    conn,
                    &NewCheckIn {
                        id: &id,
                        practice_id: &staff.practice_id,
                        boundary_id: &boundary_id,
                        reported_by: &req.reported_by,
                        recorded_by: &staff.user_id,
                        kept: req.kept,
                        note: req.note.as_deref(),
                    },
                )?)
            })
        })
        .await?;
    let location = format!("{API}/boundaries/{}/check-ins", row.boundary_id);
    Ok(created(&CheckInView::from(row), location, None))
}
