use actix_web::{web, HttpResponse};

use super::InstrumentKey;
use crate::audit::{self, Action};
use crate::auth::access::couple_visible;
use crate::auth::Staff;
use crate::domain::ids::{ClientId, CoupleId};
use crate::domain::instruments;
use crate::domain::ResourceKind;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::{assessments, couples};
use crate::views::assessments::Measures;
use crate::views::assessments_chart;

/// The measures of a couple on an instrument; 404 for an unknown instrument or a couple the
/// caller may not see (audited as a denied read of the couple).
async fn load(state: &AppState, staff: Staff, couple_id: CoupleId, key: String) -> AppResult<Measures> {
    audit::read(
        &state.db,
        staff.0,
        Action::Read,
        ResourceKind::Measure,
        Some(couple_id.to_string()),
        move |conn, staff| {
            if !couple_visible(conn, staff, &couple_id)? {
                return Err(AppError::NotFound);
            }
            let instrument = instruments::find(&key).ok_or(AppError::NotFound)?;
            let partners: Vec<ClientId> =
                couples::partners_of(conn, &couple_id)?.into_iter().map(ClientId::from_db).collect();
            let names = crate::store::names::clients(conn, &staff.practice_id, partners.iter().cloned())?;
            let partners: Vec<(ClientId, String)> =
                partners.into_iter().map(|id| (id.clone(), names.get(&id).cloned().unwrap_or_default())).collect();
            let rows = assessments::completed_of_couple(conn, staff, &couple_id, instrument.key)?;
            let zone = crate::store::practices::own(conn, &staff.practice_id)?.timezone;
            Ok(Measures::new(instrument, &partners, &rows, &zone))
        },
    )
    .await
}

/// Each partner's scores on one instrument, oldest first, with baseline, latest, change and
/// the instrument's cutoff.
#[utoipa::path(get, operation_id = "couple_measures", path = "/api/v1/couples/{id}/measures/{instrument}", tag = "assessments",
    params(("id" = inline(CoupleId), Path), ("instrument" = InstrumentKey, Path)), responses((status = 200, body = Measures)))]
pub async fn measures(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<(CoupleId, String)>,
) -> AppResult<HttpResponse> {
    let (couple_id, key) = path.into_inner();
    let m = load(&state, staff, couple_id, key).await?;
    Ok(HttpResponse::Ok().json(m))
}

/// The same as a small static SVG chart: both partners' lines over time and the cutoff.
#[utoipa::path(get, operation_id = "couple_measures_chart", path = "/api/v1/couples/{id}/measures/{instrument}/chart.svg", tag = "assessments",
    params(("id" = inline(CoupleId), Path), ("instrument" = InstrumentKey, Path)),
    responses((status = 200, content_type = "image/svg+xml", body = String)))]
pub async fn chart(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<(CoupleId, String)>,
) -> AppResult<HttpResponse> {
    let (couple_id, key) = path.into_inner();
    let m = load(&state, staff, couple_id, key).await?;
    let instrument = instruments::find(m.instrument).ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header(("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'"))
        .insert_header(("x-content-type-options", "nosniff"))
        .body(assessments_chart::render(&m, instrument)))
}
