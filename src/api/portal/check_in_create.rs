use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::boundaries::audited_under;
use crate::audit::{Action, Target};
use crate::auth::PortalClient;
use crate::db::new_id;
use crate::domain::text;
use crate::domain::trust::BoundaryStatus;
use crate::domain::ResourceKind;
use crate::http::{created, API};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::boundaries::{self, NewCheckIn};
use crate::views::portal::PortalCheckIn;

/// The reporter is always the caller; the body cannot name anyone else.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PortalCheckInRequest {
    pub kept: bool,
    /// Up to 2000 characters.
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// Report whether the caller kept (or saw kept) a boundary of one of their couples.
#[utoipa::path(post, operation_id = "create_portal_check_in", path = "/api/v1/portal/boundaries/{id}/check-ins", tag = "portal",
    params(("id" = Uuid, Path)), request_body = PortalCheckInRequest, responses((status = 201, body = PortalCheckIn)))]
pub async fn create(
    state: web::Data<AppState>,
    client: PortalClient,
    path: web::Path<Uuid>,
    body: web::Json<PortalCheckInRequest>,
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
            audited_under(conn, &client, target, parent, |conn| {
                let me = client.client_id.clone().ok_or(AppError::NotFound)?;
                let boundary = boundaries::find_for_client(conn, &client, &boundary_id)?.ok_or(AppError::NotFound)?;
                if boundary.status == BoundaryStatus::Retired.as_str() {
                    return Err(AppError::Conflict("This boundary is retired.".into()));
                }
                Ok(boundaries::create_check_in(
                    conn,
                    &NewCheckIn {
                        id: &id,
                        practice_id: &client.practice_id,
                        boundary_id: &boundary_id,
                        reported_by: &me,
                        recorded_by: &client.user_id,
                        kept: req.kept,
                        note: req.note.as_deref(),
                    },
                )?)
            })
        })
        .await?;
    let location = format!("{API}/portal/boundaries/{}/check-ins", row.boundary_id);
    Ok(created(&PortalCheckIn::from(row), location, None))
}
