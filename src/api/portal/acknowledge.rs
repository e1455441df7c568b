use actix_web::{web, HttpResponse};

use crate::audit::{audited, Action, Target};
use crate::auth::PortalClient;
use crate::domain::ids::BoundaryId;
use crate::domain::trust::BoundaryStatus;
use crate::domain::webhooks::EventType;
use crate::domain::ResourceKind;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::boundaries;
use crate::views::portal::PortalBoundary;
use crate::webhooks::outbox;

/// Acknowledge a boundary of one of the caller's couples. When every partner has acknowledged
/// a proposed (or revised) boundary, it becomes active. Acknowledging again changes nothing;
/// a retired boundary cannot be acknowledged (409).
#[utoipa::path(post, operation_id = "acknowledge_portal_boundary", path = "/api/v1/portal/boundaries/{id}/acknowledge", tag = "portal",
    params(("id" = BoundaryId, Path)), responses((status = 200, body = PortalBoundary)))]
pub async fn acknowledge(
    state: web::Data<AppState>,
    client: PortalClient,
    path: web::Path<BoundaryId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let view = state
        .db
        .run(move |conn| {
            audited(conn, &client, Target::new(Action::Acknowledge, ResourceKind::Boundary, Some(&id)), |conn| {
                let me = client.client_id.clone().ok_or(AppError::NotFound)?;
                // Lock first, so the status read below is the one this write builds on.
                boundaries::lock(conn, &id)?;
                let current = boundaries::find_for_client(conn, &client, &id)?;
                if current.status == BoundaryStatus::Retired {
                    return Err(AppError::Conflict("This boundary is retired.".into()));
                }
                boundaries::acknowledge(conn, &client.practice_id, &id, &me)?;
                let pending = [BoundaryStatus::Proposed, BoundaryStatus::Revised];
                if pending.contains(&current.status)
                    && boundaries::unacknowledged_partners(conn, &id, &current.couple_id)? == 0
                {
                    boundaries::set_status(conn, &id, BoundaryStatus::Active)?;
                    outbox::emit_event(conn, &client.practice_id, EventType::BoundaryActivated, &id)?;
                }
                let row = boundaries::find_for_client(conn, &client, &id)?;
                let mine = boundaries::acknowledgements(conn, std::slice::from_ref(&id))?
                    .into_iter()
                    .find(|a| a.client_id == me)
                    .map(|a| a.acknowledged_at);
                Ok(PortalBoundary::new(row, mine))
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
