//! The OpenAPI document, generated from the handlers' annotations. `openapi/openapi.json` is
//! this document, committed; a test fails when they differ.

use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{Content, HttpMethod, ObjectBuilder, OpenApi as Doc, Ref, Required, ResponseBuilder, Type};
use utoipa::{Modify, OpenApi};

use crate::api;

#[derive(OpenApi)]
#[openapi(
    info(title = "Mend API", version = "1.0.0",
        description = "Case management for counselors who help couples repair trust. See API.md for the contract."),
    paths(
        api::health::healthz, api::health::readyz,
        api::auth::login::login, api::auth::refresh::refresh, api::auth::logout::logout,
        api::auth::accept_invite::accept_invite,
        api::me::read::read, api::me::password::change,
        api::practice::read::read, api::practice::update::update,
        api::users::create::create, api::users::list::list, api::users::read::read, api::users::update::update,
        api::audit::list::list,
        // ---- clients and couples ----
        // ---- end clients and couples ----
        // ---- sessions, summaries and notes ----
        api::sessions::create::create, api::sessions::list::list, api::sessions::read::read,
        api::sessions::update::update, api::sessions::summary::put, api::sessions::share::share,
        api::notes::create::create, api::notes::list::list, api::notes::read::read, api::notes::update::update,
        api::notes::sign::sign, api::notes::addenda::create,
        // ---- end sessions, summaries and notes ----
        // ---- boundaries, milestones, templates and progress ----
        // ---- end boundaries, milestones, templates and progress ----
        // ---- client portal ----
        // ---- end client portal ----
    ),
    components(schemas(crate::problem::Problem, crate::problem::FieldError)),
    modifiers(&Conventions),
    security(("bearer" = [])),
)]
pub struct ApiDoc;

/// Adds what every endpoint shares, so no handler can forget it: the bearer scheme, the
/// problem responses each kind of operation can give, `If-Match` on PATCH/PUT and
/// `Idempotency-Key` on POST.
struct Conventions;

fn problem(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content("application/problem+json", Content::new(Some(Ref::from_schema_name("Problem"))))
        .build()
}

impl Modify for Conventions {
    fn modify(&self, doc: &mut Doc) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::builder().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
        for (path, item) in doc.paths.paths.iter_mut() {
            let api = path.starts_with("/api/");
            let ops: [(HttpMethod, &mut Option<Operation>); 5] = [
                (HttpMethod::Get, &mut item.get),
                (HttpMethod::Post, &mut item.post),
                (HttpMethod::Put, &mut item.put),
                (HttpMethod::Patch, &mut item.patch),
                (HttpMethod::Delete, &mut item.delete),
            ];
            for (method, op) in ops {
                let Some(op) = op.as_mut() else { continue };
                let public = !api || op.security.as_ref().is_some_and(|s| s.iter().all(|r| r == &Default::default()));
                let has_body = op.request_body.is_some();
                let mut add = |code: &str, text: &str| {
                    op.responses.responses.entry(code.to_string()).or_insert_with(|| problem(text).into());
                };
                add("500", "Unexpected error; the body quotes the request id");
                add("503", "The database is unreachable; Retry-After is set");
                if !api {
                    continue;
                }
                add("400", "Malformed JSON, wrong types, unknown fields or bad parameters");
                add("404", "No such resource, or the caller may not see it");
                add("405", "Method not allowed; Allow lists the methods");
                add("422", "A value breaks a rule; errors lists the fields");
                if !public {
                    add("401", "No token, or an invalid, expired or revoked one");
                    add("403", "The caller's role may never use this endpoint");
                }
                if has_body {
                    add("413", "Body over 1 MiB");
                    add("415", "Content type is not JSON");
                }
                if matches!(method, HttpMethod::Patch | HttpMethod::Put) {
                    add("409", "Conflicts with the resource's state");
                    add("412", "If-Match does not match the current ETag; nothing was written");
                    let params = op.parameters.get_or_insert_with(Vec::new);
                    params.push(
                        ParameterBuilder::new()
                            .name("If-Match")
                            .parameter_in(ParameterIn::Header)
                            .required(Required::False)
                            .description(Some("The ETag (`\"<version>\"`) the write is conditional on"))
                            .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                            .build(),
                    );
                }
                if method == HttpMethod::Post {
                    add("409", "Conflicts with the resource's state, or the same Idempotency-Key is in flight");
                    add("429", "Rate limited; Retry-After is set");
                    if !public {
                        let params = op.parameters.get_or_insert_with(Vec::new);
                        params.push(
                            ParameterBuilder::new()
                                .name("Idempotency-Key")
                                .parameter_in(ParameterIn::Header)
                                .required(Required::False)
                                .description(Some("1 to 255 characters; a retry with the same key and body answers the first response again"))
                                .schema(Some(ObjectBuilder::new().schema_type(Type::String).min_length(Some(1)).max_length(Some(255))))
                                .build(),
                        );
                    }
                }
            }
        }
    }
}

/// The document as committed: pretty JSON with a final newline.
pub fn document() -> String {
    let mut json = ApiDoc::openapi().to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}
