use actix_web::{web, HttpResponse};

use crate::api::assessments::InstrumentKey;
use crate::audit::{self, Action};
use crate::auth::PortalClient;
use crate::domain::instruments;
use crate::domain::ResourceKind;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::{assessments, practices};
use crate::views::assessments::OwnMeasures;

/// The caller's own scores on an instrument over time, oldest first, with the instrument's
/// cutoff. Never the partner's.
#[utoipa::path(get, operation_id = "read_portal_measures", path = "/api/v1/portal/measures/{instrument}", tag = "portal",
    params(("instrument" = InstrumentKey, Path)), responses((status = 200, body = OwnMeasures)))]
pub async fn read(
    state: web::Data<AppState>,
    client: PortalClient,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let key = path.into_inner();
    let me = client.client_id.as_deref().map(String::from);
    let view = audit::read(&state.db, client.0, Action::Read, ResourceKind::Measure, me, move |conn, client| {
        let instrument = instruments::find(&key).ok_or(AppError::NotFound)?;
        let rows = assessments::own_completed(conn, client, instrument.key)?;
        let zone = practices::own(conn, &client.practice_id)?.timezone;
        Ok(OwnMeasures::new(instrument, &rows, &zone))
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}
