use actix_web::{web, HttpResponse};
use diesel::prelude::*;

use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::views::identity::Health;

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations", security(()), responses((status = 200, body = Health)))]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok".into() })
}

/// The database answers.
#[utoipa::path(get, path = "/readyz", tag = "operations", security(()),
    responses((status = 200, body = Health), (status = 503, body = crate::problem::Problem)))]
pub async fn readyz(state: web::Data<AppState>) -> AppResult<HttpResponse> {
    state
        .db
        .run(|conn| {
            diesel::select(1.into_sql::<diesel::sql_types::Integer>())
                .get_result::<i32>(conn)
                .map_err(|_| AppError::database_unavailable())
        })
        .await?;
    Ok(HttpResponse::Ok().json(Health { status: "ready".into() }))
}
