use actix_web::{web, HttpResponse};

use crate::audit::{self, Action};
use crate::auth::Staff;
use crate::domain::ids::BoundaryId;
use crate::domain::ResourceKind;
use crate::http::ok_versioned;
use crate::problem::AppResult;
use crate::state::AppState;
use crate::store::boundaries;
use crate::views::trust::BoundaryView;

/// One boundary, with its acknowledgements.
#[utoipa::path(get, operation_id = "read_boundary", path = "/api/v1/boundaries/{id}", tag = "boundaries", params(("id" = BoundaryId, Path)),
    responses((status = 200, body = BoundaryView)))]
pub async fn read(state: web::Data<AppState>, staff: Staff, path: web::Path<BoundaryId>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let view = audit::read(
        &state.db,
        staff.0,
        Action::Read,
        ResourceKind::Boundary,
        Some(id.to_string()),
        move |conn, staff| {
            let row = boundaries::find_visible(conn, staff, &id)?;
            let acks = boundaries::acknowledgements(conn, std::slice::from_ref(&id))?;
            Ok(BoundaryView::new(row, &acks))
        },
    )
    .await?;
    let version = view.version;
    Ok(ok_versioned(&view, version))
}
