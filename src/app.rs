//! The actix app: middleware, the one route table, OpenAPI and docs.

use std::net::TcpListener;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use utoipa_swagger_ui::SwaggerUi;

use crate::idempotency::{idempotency, MAX_BODY};
use crate::middleware::{bounded, json_object_body, method_not_allowed, not_found, render, request_context, InFlight};
use crate::problem::AppError;
use crate::state::AppState;

fn json_error(err: JsonPayloadError, _: &HttpRequest) -> actix_web::Error {
    let app = match &err {
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => AppError::PayloadTooLarge,
        JsonPayloadError::ContentType => AppError::UnsupportedMediaType,
        JsonPayloadError::Deserialize(e) => {
            AppError::BadRequest(format!("The body is not valid for this endpoint: {}", clean(e)))
        }
        _ => AppError::BadRequest("The body could not be read as JSON.".into()),
    };
    render(app)
}

/// serde's message without the echo of the input (it names fields and types, not values).
fn clean(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.find(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

fn query_error(err: QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    render(AppError::BadRequest(format!("A query parameter is invalid: {err}")))
}

fn path_error(_: PathError, _: &HttpRequest) -> actix_web::Error {
    render(AppError::BadRequest("A path parameter is invalid (ids are UUIDs).".into()))
}

/// The whole app: the route table (`routes.rs`: the pages and the API), the spec and the docs.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.configure(crate::routes::pages)
        .configure(crate::routes::top)
        .service(web::resource("/openapi.json").get(openapi_json).default_service(method_not_allowed("GET")))
        .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", crate::openapi::spec()))
        .service(web::redirect("/docs", "/docs/"))
        .service(
            web::scope("/api/v1")
                .wrap(from_fn(idempotency))
                .wrap(from_fn(json_object_body))
                .wrap(from_fn(crate::denials::first))
                .configure(crate::routes::api_v1),
        )
        .service(
            web::scope(crate::fhir::BASE)
                .wrap(from_fn(crate::fhir::outcome::operation_outcomes))
                .configure(crate::routes::fhir)
                .default_service(web::to(crate::fhir::outcome::not_found)),
        );
}

async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(crate::openapi::document())
}

/// Starts the HTTP server on `listener` (workers = cores; graceful shutdown on SIGTERM).
pub fn serve(listener: TcpListener, state: AppState, workers: Option<usize>) -> std::io::Result<Server> {
    let data = web::Data::new(state);
    let in_flight =
        web::Data::new(InFlight(std::sync::Arc::new(tokio::sync::Semaphore::new(data.config.max_in_flight))));
    let cors_origins = data.config.cors_origins.clone();
    let mut server = HttpServer::new(move || {
        let mut cors = actix_cors::Cors::default();
        for origin in &cors_origins {
            cors = cors.allowed_origin(origin);
        }
        let cors = cors
            .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
            .allowed_headers(["authorization", "content-type", "if-match", "idempotency-key", "x-request-id"])
            .expose_headers(["etag", "location", "x-request-id", "retry-after"])
            .max_age(600);
        App::new()
            .app_data(data.clone())
            .app_data(in_flight.clone())
            .app_data(web::JsonConfig::default().limit(MAX_BODY).error_handler(json_error))
            .app_data(web::QueryConfig::default().error_handler(query_error))
            .app_data(web::PathConfig::default().error_handler(path_error))
            .configure(routes)
            .default_service(web::to(not_found))
            .wrap(actix_web::middleware::Condition::new(!cors_origins.is_empty(), cors))
            .wrap(from_fn(bounded))
            .wrap(from_fn(request_context))
    })
    .listen(listener)?
    .client_request_timeout(Duration::from_secs(10))
    .client_disconnect_timeout(Duration::from_secs(2))
    .keep_alive(Duration::from_secs(30))
    .shutdown_timeout(30);
    if let Some(w) = workers {
        server = server.workers(w);
    }
    Ok(server.run())
}
