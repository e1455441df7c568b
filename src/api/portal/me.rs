use actix_web::{web, HttpResponse};

use crate::audit::{audited, Action, Target};
use crate::auth::PortalClient;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::portal;
use crate::views::portal::PortalMe;

/// The caller's own client record.
#[utoipa::path(get, operation_id = "read_portal_me", path = "/api/v1/portal/me", tag = "portal", responses((status = 200, body = PortalMe)))]
pub async fn me(state: web::Data<AppState>, client: PortalClient) -> AppResult<HttpResponse> {
    let view = state
        .db
        .run_as(client.live(), move |conn| {
            let id = client.client_id.clone();
            audited(conn, &client, Target::new(Action::Read, "client", id.as_deref()), |conn| {
                portal::me(conn, &client)?.map(PortalMe::from).ok_or(AppError::NotFound)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
