use actix_web::{web, HttpResponse};

use crate::audit::{self, Action};
use crate::auth::Staff;
use crate::domain::consent::ReleaseId;
use crate::domain::ResourceKind;
use crate::http::ok_versioned;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::releases;
use crate::views::releases::ReleaseView;

/// One release, with its authorizations. `expired` is computed when it is read.
#[utoipa::path(get, operation_id = "read_release", path = "/api/v1/releases/{id}", tag = "releases", params(("id" = ReleaseId, Path)),
    responses((status = 200, body = ReleaseView, headers(("ETag" = String)))))]
pub async fn read(state: web::Data<AppState>, staff: Staff, path: web::Path<ReleaseId>) -> AppResult<HttpResponse> {
    let id = path.into_inner().to_string();
    let view =
        audit::read(&state.db, staff.0, Action::Read, ResourceKind::Release, Some(id.clone()), move |conn, staff| {
            let row = releases::find_visible(conn, staff, &id)?.ok_or(AppError::NotFound)?;
            super::view(conn, row)
        })
        .await?;
    let version = view.version;
    Ok(ok_versioned(&view, version))
}
