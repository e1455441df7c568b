use actix_web::{web, HttpResponse};
use uuid::Uuid;

use crate::audit::{self, Action};
use crate::auth::Staff;
use crate::domain::ResourceKind;
use crate::http::ok_versioned;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::couples;
use crate::views::clients::{couple_view, CoupleView};

/// One couple, for the staff assigned to it (admins included: an unassigned admin gets 404).
#[utoipa::path(get, path = "/api/v1/couples/{id}", tag = "couples", params(("id" = Uuid, Path)),
    responses((status = 200, body = CoupleView, headers(("ETag" = String)))))]
pub async fn read(staff: Staff, state: web::Data<AppState>, path: web::Path<Uuid>) -> AppResult<HttpResponse> {
    let id = path.into_inner().to_string();
    let view =
        audit::read(&state.db, staff.0, Action::Read, ResourceKind::Couple, Some(id.clone()), move |conn, staff| {
            let row = couples::find_visible(conn, staff, &id)?.ok_or(AppError::NotFound)?;
            Ok(couple_view(conn, row)?)
        })
        .await?;
    let version = view.version;
    Ok(ok_versioned(&view, version))
}
