use actix_web::{web, HttpResponse};

use super::staff_view;
use crate::audit::{self, Action};
use crate::auth::Staff;
use crate::domain::letters::LetterId;
use crate::domain::ResourceKind;
use crate::http::ok_versioned;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::letters;
use crate::views::letters::StaffLetter;

/// One letter with its revisions. A draft that was never submitted is 404, even to the
/// couple's counselor: it is the author's alone.
#[utoipa::path(get, path = "/api/v1/letters/{id}", tag = "letters", params(("id" = LetterId, Path)),
    responses((status = 200, body = StaffLetter)))]
pub async fn read(state: web::Data<AppState>, staff: Staff, path: web::Path<LetterId>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let view = audit::read(
        &state.db,
        staff.0,
        Action::Read,
        ResourceKind::Letter,
        Some(id.to_string()),
        move |conn, staff| {
            let row = letters::find_for_staff(conn, staff, &id)?.ok_or(AppError::NotFound)?;
            staff_view(conn, &staff.practice_id, row)
        },
    )
    .await?;
    let version = view.version;
    Ok(ok_versioned(&view, version))
}
