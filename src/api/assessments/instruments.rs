use actix_web::{web, HttpResponse};

use crate::auth::Staff;
use crate::domain::instruments::INSTRUMENTS;
use crate::problem::AppResult;
use crate::state::AppState;
use crate::views::assessments::{InstrumentList, InstrumentView};

/// The built-in questionnaires: items, options, scoring, citation and licence.
#[utoipa::path(get, operation_id = "list_instruments", path = "/api/v1/instruments", tag = "assessments",
    responses((status = 200, body = InstrumentList)))]
pub async fn list(state: web::Data<AppState>, staff: Staff) -> AppResult<HttpResponse> {
    // Nothing to read, but a deactivated user still gets 401.
    state.db.run_as(staff.live(), |_| Ok(())).await?;
    let items = INSTRUMENTS.iter().map(InstrumentView::from).collect();
    Ok(HttpResponse::Ok().json(InstrumentList { items }))
}
