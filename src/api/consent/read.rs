use actix_web::{web, HttpResponse};

use crate::audit::{self, Action};
use crate::auth::Staff;
use crate::domain::ids::CoupleId;
use crate::domain::ResourceKind;
use crate::http::ok_versioned;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::consent;
use crate::views::consent::PolicyView;

/// The couple's current confidentiality policy with the partners' signatures of it; 404 before
/// the first PUT.
#[utoipa::path(get, operation_id = "read_confidentiality_policy", path = "/api/v1/couples/{id}/confidentiality-policy", tag = "consent",
    params(("id" = CoupleId, Path)), responses((status = 200, body = PolicyView, headers(("ETag" = String)))))]
pub async fn read(state: web::Data<AppState>, staff: Staff, path: web::Path<CoupleId>) -> AppResult<HttpResponse> {
    let couple_id = path.into_inner().to_string();
    let view = audit::read(
        &state.db,
        staff.0,
        Action::Read,
        ResourceKind::ConfidentialityPolicy,
        Some(couple_id.clone()),
        move |conn, staff| {
            let row = consent::current_visible(conn, staff, &couple_id)?.ok_or(AppError::NotFound)?;
            super::view(conn, row)
        },
    )
    .await?;
    let version = view.version;
    Ok(ok_versioned(&view, version))
}
