use actix_web::{web, HttpResponse};

use crate::audit::{self, Action};
use crate::auth::Staff;
use crate::domain::ids::ClientId;
use crate::domain::ResourceKind;
use crate::http::ok_versioned;
use crate::problem::AppResult;
use crate::state::AppState;
use crate::store::clients;
use crate::views::clients::ClientView;

/// One client's record: for admins of the practice and counselors who see the client.
///
/// One statement reads the row, its counselors and its portal flag; the audit event is
/// group-committed (`audit_batch`).
#[utoipa::path(get, path = "/api/v1/clients/{id}", tag = "clients", params(("id" = ClientId, Path)),
    responses((status = 200, body = ClientView, headers(("ETag" = String)))))]
pub async fn read(staff: Staff, state: web::Data<AppState>, path: web::Path<ClientId>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let view = audit::read(
        &state.db,
        staff.0,
        Action::Read,
        ResourceKind::Client,
        Some(id.to_string()),
        move |conn, staff| Ok(ClientView::from_row_with_extras(clients::find_visible_with_extras(conn, staff, &id)?)),
    )
    .await?;
    let version = view.version;
    Ok(ok_versioned(&view, version))
}
