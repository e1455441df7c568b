use actix_web::{web, HttpResponse};

use crate::audit::{self, Action};
use crate::auth::PortalClient;
use crate::domain::ResourceKind;
use crate::problem::AppResult;
use crate::state::AppState;
use crate::store::portal;
use crate::views::portal::PortalMe;

/// The caller's own client record.
#[utoipa::path(get, operation_id = "read_portal_me", path = "/api/v1/portal/me", tag = "portal", responses((status = 200, body = PortalMe)))]
pub async fn me(state: web::Data<AppState>, client: PortalClient) -> AppResult<HttpResponse> {
    let id = client.client_id.clone();
    let view = audit::read(
        &state.db,
        client.0,
        Action::Read,
        ResourceKind::Client,
        id.as_deref().map(String::from),
        move |conn, client| Ok(PortalMe::from(portal::me(conn, client)?)),
    )
    .await?;
    Ok(HttpResponse::Ok().json(view))
}
