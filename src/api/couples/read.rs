use actix_web::{web, HttpResponse};

use crate::audit::{self, Action};
use crate::auth::Staff;
use crate::domain::ids::CoupleId;
use crate::domain::ResourceKind;
use crate::http::ok_versioned;
use crate::problem::AppResult;
use crate::state::AppState;
use crate::views::clients::{couple_item, CoupleItem};

/// One couple: the whole view for the staff assigned to it; for an admin who is not assigned,
/// the directory view (partners, counselors, status: nothing clinical), so they can assign it.
#[utoipa::path(get, path = "/api/v1/couples/{id}", tag = "couples", params(("id" = CoupleId, Path)),
    responses((status = 200, body = CoupleItem, headers(("ETag" = String)))))]
pub async fn read(staff: Staff, state: web::Data<AppState>, path: web::Path<CoupleId>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let view = audit::read(
        &state.db,
        staff.0,
        Action::Read,
        ResourceKind::Couple,
        Some(id.to_string()),
        move |conn, staff| {
            // The scope of `find_assignable` for an admin, of `find_visible` for anyone else.
            Ok(couple_item(conn, staff, &id)?)
        },
    )
    .await?;
    let version = view.version();
    Ok(ok_versioned(&view, version))
}
