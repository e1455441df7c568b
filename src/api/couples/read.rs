use actix_web::{web, HttpResponse};

use crate::audit::{self, Action};
use crate::auth::Staff;
use crate::domain::ids::CoupleId;
use crate::domain::ResourceKind;
use crate::http::ok_versioned;
use crate::problem::AppResult;
use crate::state::AppState;
use crate::store::couples;
use crate::views::clients::{couple_view, CoupleView};

/// One couple, for the staff assigned to it (admins included: an unassigned admin gets 404).
#[utoipa::path(get, path = "/api/v1/couples/{id}", tag = "couples", params(("id" = CoupleId, Path)),
    responses((status = 200, body = CoupleView, headers(("ETag" = String)))))]
pub async fn read(staff: Staff, state: web::Data<AppState>, path: web::Path<CoupleId>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let view = audit::read(
        &state.db,
        staff.0,
        Action::Read,
        ResourceKind::Couple,
        Some(id.to_string()),
        move |conn, staff| {
            let row = couples::find_visible(conn, staff, &id)?;
            Ok(couple_view(conn, row)?)
        },
    )
    .await?;
    let version = view.version;
    Ok(ok_versioned(&view, version))
}
