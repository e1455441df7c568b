use actix_web::{web, HttpResponse};
use uuid::Uuid;

use crate::audit::{self, Action};
use crate::auth::Staff;
use crate::http::ok_versioned;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::releases;
use crate::views::releases::ReleaseView;

/// One release, with its authorizations. `expired` is computed when it is read.
#[utoipa::path(get, operation_id = "read_release", path = "/api/v1/releases/{id}", tag = "releases", params(("id" = Uuid, Path)),
    responses((status = 200, body = ReleaseView)))]
pub async fn read(state: web::Data<AppState>, staff: Staff, path: web::Path<Uuid>) -> AppResult<HttpResponse> {
    let id = path.into_inner().to_string();
    let view = audit::read(&state.db, staff.0, Action::Read, "release", Some(id.clone()), move |conn, staff| {
        let row = releases::find_visible(conn, staff, &id)?.ok_or(AppError::NotFound)?;
        super::view(conn, row)
    })
    .await?;
    let version = view.version;
    Ok(ok_versioned(&view, version))
}
