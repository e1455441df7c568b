//! The actix app: middleware, the one route table, OpenAPI and docs.

use std::net::TcpListener;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::api;
use crate::idempotency::{idempotency, MAX_BODY};
use crate::middleware::{bounded, json_object_body, method_not_allowed, not_found, render, request_context, InFlight};
use crate::openapi::ApiDoc;
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

/// A resource whose other methods answer 405 with `Allow: <allow>`.
fn resource(path: &str, allow: &'static str) -> actix_web::Resource {
    web::resource(path).default_service(method_not_allowed(allow))
}

/// The whole route table. Every resource lists its methods once; others answer 405 with Allow.
pub fn routes(cfg: &mut web::ServiceConfig) {
    use api::*;
    cfg.service(resource("/healthz", "GET").get(health::healthz))
        .service(resource("/readyz", "GET").get(health::readyz))
        .service(resource("/openapi.json", "GET").get(openapi_json))
        .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", ApiDoc::openapi()))
        .service(web::redirect("/docs", "/docs/"))
        .service(web::scope("/api/v1").wrap(from_fn(idempotency)).wrap(from_fn(json_object_body)).configure(api_v1));
}

/// `/api/v1`, area by area.
fn api_v1(cfg: &mut web::ServiceConfig) {
    use api::*;

    // Identity, practice and audit.
    cfg.service(resource("/auth/login", "POST").post(auth::login::login))
        .service(resource("/auth/refresh", "POST").post(auth::refresh::refresh))
        .service(resource("/auth/logout", "POST").post(auth::logout::logout))
        .service(resource("/auth/accept-invite", "POST").post(auth::accept_invite::accept_invite))
        .service(resource("/me", "GET").get(me::read::read))
        .service(resource("/me/password", "POST").post(me::password::change))
        .service(resource("/practice", "GET, PATCH").get(practice::read::read).patch(practice::update::update))
        .service(resource("/users", "GET, POST").get(users::list::list).post(users::create::create))
        .service(resource("/users/{id}", "GET, PATCH").get(users::read::read).patch(users::update::update))
        .service(resource("/audit-events", "GET").get(audit::list::list));

    // Clients and couples.
    cfg.service(resource("/clients", "GET, POST").get(clients::list::list).post(clients::create::create))
        .service(resource("/clients/{id}", "GET, PATCH").get(clients::read::read).patch(clients::update::update))
        .service(resource("/clients/{id}/portal-invite", "POST").post(clients::invite::invite))
        .service(resource("/couples", "GET, POST").get(couples::list::list).post(couples::create::create))
        .service(resource("/couples/{id}", "GET, PATCH").get(couples::read::read).patch(couples::update::update));

    // Sessions, shared summaries and mediation notes.
    cfg.service(resource("/sessions", "GET, POST").get(sessions::list::list).post(sessions::create::create))
        .service(resource("/sessions/{id}", "GET, PATCH").get(sessions::read::read).patch(sessions::update::update))
        .service(resource("/sessions/{id}/summary", "PUT").put(sessions::summary::put))
        .service(resource("/sessions/{id}/summary/share", "POST").post(sessions::share::share))
        .service(resource("/sessions/{id}/notes", "GET, POST").get(notes::list::list).post(notes::create::create))
        .service(resource("/notes/{id}", "GET, PATCH").get(notes::read::read).patch(notes::update::update))
        .service(resource("/notes/{id}/sign", "POST").post(notes::sign::sign))
        .service(resource("/notes/{id}/addenda", "POST").post(notes::addenda::create));

    // Boundaries, milestones, templates and progress.
    cfg.service(
        resource("/couples/{id}/boundaries", "GET, POST").get(boundaries::list::list).post(boundaries::create::create),
    )
    .service(resource("/boundaries/{id}", "GET, PATCH").get(boundaries::read::read).patch(boundaries::update::update))
    .service(
        resource("/boundaries/{id}/check-ins", "GET, POST")
            .get(boundaries::check_in_list::list)
            .post(boundaries::check_in_create::create),
    )
    .service(resource("/milestone-templates", "GET").get(milestones::templates::list))
    .service(
        resource("/couples/{id}/milestones", "GET, POST").get(milestones::list::list).post(milestones::create::create),
    )
    .service(resource("/couples/{id}/milestones/from-template", "POST").post(milestones::from_template::from_template))
    .service(resource("/milestones/{id}", "GET, PATCH").get(milestones::read::read).patch(milestones::update::update))
    .service(resource("/couples/{id}/progress", "GET").get(milestones::progress::progress));

    // The client portal.
    cfg.service(resource("/portal/me", "GET").get(portal::me::me))
        .service(resource("/portal/sessions", "GET").get(portal::sessions::sessions))
        .service(resource("/portal/boundaries", "GET").get(portal::boundaries::list))
        .service(resource("/portal/boundaries/{id}/acknowledge", "POST").post(portal::acknowledge::acknowledge))
        .service(
            resource("/portal/boundaries/{id}/check-ins", "GET, POST")
                .get(portal::check_in_list::list)
                .post(portal::check_in_create::create),
        )
        .service(resource("/portal/milestones", "GET").get(portal::milestones::list));

    // ---- letters and activities (issue 14) ----
    cfg.service(resource("/couples/{id}/letters", "GET").get(letters::list::list))
        .service(resource("/letters/{id}", "GET").get(letters::read::read))
        .service(resource("/letters/{id}/return", "POST").post(letters::send_back::send_back))
        .service(resource("/letters/{id}/release", "POST").post(letters::release::release))
        .service(
            resource("/portal/letters", "GET, POST")
                .get(portal::letters_list::list)
                .post(portal::letters_create::create),
        )
        .service(
            resource("/portal/letters/{id}", "GET, PATCH")
                .get(portal::letters_read::read)
                .patch(portal::letters_update::update),
        )
        .service(resource("/portal/letters/{id}/submit", "POST").post(portal::letters_submit::submit))
        .service(resource("/portal/letters/{id}/withdraw", "POST").post(portal::letters_withdraw::withdraw))
        .service(resource("/activity-templates", "GET").get(activities::templates::list))
        .service(
            resource("/couples/{id}/activities", "GET, POST")
                .get(activities::list::list)
                .post(activities::create::create),
        )
        .service(
            resource("/couples/{id}/activities/from-template", "POST").post(activities::from_template::from_template),
        )
        .service(
            resource("/activities/{id}", "GET, PATCH").get(activities::read::read).patch(activities::update::update),
        )
        .service(
            resource("/activities/{id}/logs", "GET, POST")
                .get(activities::log_list::list)
                .post(activities::log_create::create),
        )
        .service(resource("/portal/activities", "GET").get(portal::activities_list::list))
        .service(
            resource("/portal/activities/{id}/logs", "GET, POST")
                .get(portal::activities_log_list::list)
                .post(portal::activities_log_create::create),
        );
    // ---- end letters and activities ----
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
            .allowed_methods(["GET", "POST", "PUT", "PATCH"])
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
