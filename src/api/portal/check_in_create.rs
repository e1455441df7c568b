use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use crate::api::boundaries::audited_under;
use crate::audit::{Action, Target};
use crate::auth::PortalClient;
use crate::db::now;
use crate::domain::ids::{BoundaryId, CheckInId};
use crate::domain::trust::BoundaryStatus;
use crate::domain::value::parsed;
use crate::domain::value_trust::CheckInNote;
use crate::domain::ResourceKind;
use crate::extract::ValidJson;
use crate::http::{created, API};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::boundaries::{self, NewCheckIn};
use crate::views::portal::PortalCheckIn;

/// The reporter is always the caller; the body cannot name anyone else.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PortalCheckInRequest {
    pub kept: bool,
    #[validate(custom(function = "CheckInNote::check"))]
    #[schema(value_type = Option<CheckInNote>)]
    pub note: Option<String>,
}

/// Report whether the caller kept (or saw kept) a boundary of one of their couples.
#[utoipa::path(post, operation_id = "create_portal_check_in", path = "/api/v1/portal/boundaries/{id}/check-ins", tag = "portal",
    params(("id" = BoundaryId, Path)), request_body = PortalCheckInRequest, responses((status = 201, body = PortalCheckIn)))]
pub async fn create(
    state: web::Data<AppState>,
    client: PortalClient,
    path: web::Path<BoundaryId>,
    body: ValidJson<PortalCheckInRequest>,
) -> AppResult<HttpResponse> {
    let boundary_id = path.into_inner();
    let req = body.into_inner();
    let note = req.note.map(|v| parsed("note", CheckInNote::parse(v))).transpose()?;
    let id = CheckInId::new();
    let row = state
        .db
        .run(move |conn| {
            let target = Target::new(Action::Create, ResourceKind::BoundaryCheckIn, Some(&id));
            let parent = Target::new(Action::Create, ResourceKind::Boundary, Some(&boundary_id));
            audited_under(conn, &client, target, parent, |conn| {
                let me = client.client_id.clone().ok_or(AppError::NotFound)?;
                let boundary = boundaries::find_for_client(conn, &client, &boundary_id)?;
                if boundary.status == BoundaryStatus::Retired {
                    return Err(AppError::Conflict("This boundary is retired.".into()));
                }
                let new = NewCheckIn {
                    id: id.clone(),
                    practice_id: client.practice_id.clone(),
                    boundary_id: boundary_id.clone(),
                    reported_by: me,
                    recorded_by: client.user_id.clone(),
                    kept: req.kept,
                    note,
                    created_at: now(),
                };
                Ok(boundaries::create_check_in(conn, &new)?)
            })
        })
        .await?;
    let location = format!("{API}/portal/boundaries/{}/check-ins", row.boundary_id);
    Ok(created(&PortalCheckIn::from(row), location, None))
}
