use actix_web::{web, HttpResponse};

use crate::auth::Staff;
use crate::http::ok_versioned;
use crate::problem::AppResult;
use crate::state::AppState;
use crate::store::practices::own;
use crate::views::identity::PracticeView;

/// The caller's practice.
#[utoipa::path(get, path = "/api/v1/practice", tag = "practice", responses((status = 200, body = PracticeView)))]
pub async fn read(state: web::Data<AppState>, staff: Staff) -> AppResult<HttpResponse> {
    let row = state.db.run_as(staff.live(), move |conn| Ok(own(conn, &staff.practice_id)?)).await?;
    let version = row.version;
    Ok(ok_versioned(&PracticeView::from(row), version))
}
