//! The OpenAPI document, generated from the handlers' annotations. `openapi/openapi.json` is
//! this document, committed; a test fails when they differ.

use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{Content, HttpMethod, ObjectBuilder, OpenApi as Doc, Ref, Required, ResponseBuilder, Type};
use utoipa::{Modify, OpenApi};

use crate::pagination::{DEFAULT_LIMIT, MAX_LIMIT};
use crate::problem::PROBLEM_JSON;

pub use crate::routes::ApiDoc;

/// Adds what every endpoint shares, so no handler can forget it: the bearer scheme, the
/// problem responses each kind of operation can give, `If-Match` on PATCH/PUT and the
/// `Idempotency-Key` note on POST.
pub struct Conventions;

fn problem(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content("application/problem+json", Content::new(Some(Ref::from_schema_name("Problem"))))
        .build()
}

impl Modify for Conventions {
    fn modify(&self, doc: &mut Doc) {
        time_zones(doc);
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
                if path.starts_with(crate::fhir::BASE) {
                    op.operation_id = Some(operation_id(&method, path));
                    let public = op.security.as_ref().is_some_and(|s| s.iter().all(|r| r == &Default::default()));
                    crate::fhir::docs::conventions(op, public);
                    continue;
                }
                // One operationId per method and path: handler names repeat across areas
                // (list, create...), and tools link operations by this id.
                op.operation_id = Some(operation_id(&method, path));
                problems_are_problem_json(op);
                paging_limits(op);
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
                    add("403", "The caller's role may never use this endpoint, or the caller sees the record but may not do this to it");
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
                            .description(Some(
                                "The ETag (`\"<version>\"`) the write is conditional on, a comma-separated list of \
                                 them (any may match), or `*`. Strong comparison: a weak ETag (`W/\"3\"`) is accepted \
                                 but never matches (412). Anything else is 400.",
                            ))
                            .schema(Some(
                                ObjectBuilder::new()
                                    .schema_type(Type::String)
                                    .pattern(Some(crate::http::IF_MATCH_PATTERN)),
                            ))
                            .build(),
                    );
                }
                if method == HttpMethod::Post {
                    add("409", "Conflicts with the resource's state, or the same Idempotency-Key is in flight");
                    add("429", "Rate limited; Retry-After is set");
                    if !public {
                        // Described, not declared as a parameter: a fuzzer that invents keys would
                        // reuse one with another body and see the (correct) 422.
                        let note = "Accepts an `Idempotency-Key` header (1 to 255 characters): the same key \
                            from the same user with the same body within 24 hours answers the first response \
                            again; with another body it is 422; while the first is in flight, 409.";
                        op.description = Some(match op.description.take() {
                            Some(d) => format!("{d}\n\n{note}"),
                            None => note.to_string(),
                        });
                    }
                }
            }
        }
    }
}

/// `get_api_v1_clients_id`, from the method and the path template.
fn operation_id(method: &HttpMethod, path: &str) -> String {
    let method = match method {
        HttpMethod::Get => "get",
        HttpMethod::Post => "post",
        HttpMethod::Put => "put",
        HttpMethod::Patch => "patch",
        HttpMethod::Delete => "delete",
        _ => "other",
    };
    let path: String =
        path.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    let mut id = format!("{method}_{path}");
    while id.contains("__") {
        id = id.replace("__", "_");
    }
    id.trim_end_matches('_').to_string()
}

/// Error responses are `application/problem+json`, whatever a handler's annotation says.
fn problems_are_problem_json(op: &mut Operation) {
    for (code, response) in op.responses.responses.iter_mut() {
        let is_error = code.starts_with('4') || code.starts_with('5');
        if let (true, utoipa::openapi::RefOr::T(response)) = (is_error, response) {
            if let Some(content) = response.content.shift_remove("application/json") {
                response.content.insert(PROBLEM_JSON.to_string(), content);
            }
        }
    }
}

/// Every `limit` query parameter is 1..=100, default 25.
fn paging_limits(op: &mut Operation) {
    for param in op.parameters.iter_mut().flatten() {
        if param.name == "limit" && param.parameter_in == ParameterIn::Query {
            param.schema = Some(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Int64)))
                    .minimum(Some(1))
                    .maximum(Some(MAX_LIMIT))
                    .default(Some(serde_json::json!(DEFAULT_LIMIT)))
                    .into(),
            );
        }
        // A cursor is what a page gave out: base64url without padding. Saying so keeps clients
        // and fuzzers from sending text the server must refuse (U+0000 is a 422 by contract).
        if param.name == "cursor" && param.parameter_in == ParameterIn::Query {
            param.schema = Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(crate::pagination::CURSOR_PATTERN))
                    .description(Some("`next_cursor` of the previous page; empty or absent for the first."))
                    .into(),
            );
        }
    }
}

/// Time zones are IANA names: list them, so generated clients and fuzzers know the valid ones
/// (the server accepts exactly these, through `chrono_tz`). Each name also gets a constant name
/// for generators (`x-enum-varnames`): the names themselves would collide once made identifiers
/// (`GMT+0`, `GMT-0` and `GMT0`; `Etc/GMT+1` and `Etc/GMT-1`).
fn time_zones(doc: &mut Doc) {
    let Some(components) = doc.components.as_mut() else { return };
    let (zones, var_names) = time_zone_names();
    for schema in components.schemas.values_mut() {
        let utoipa::openapi::RefOr::T(utoipa::openapi::Schema::Object(object)) = schema else { continue };
        if let Some(utoipa::openapi::RefOr::T(utoipa::openapi::Schema::Object(tz))) =
            object.properties.get_mut("timezone")
        {
            let mut names: Vec<serde_json::Value> = zones.iter().map(|z| serde_json::Value::from(*z)).collect();
            // An optional time zone may be null (no change); null needs no constant name.
            if matches!(&tz.schema_type, utoipa::openapi::schema::SchemaType::Array(types) if types.contains(&Type::Null))
            {
                names.push(serde_json::Value::Null);
            }
            tz.enum_values = Some(names);
            let extensions = tz.extensions.get_or_insert_with(Default::default);
            extensions.insert("x-enum-varnames".to_string(), serde_json::json!(var_names));
        }
    }
}

/// The IANA names `chrono_tz` knows, and for each a distinct UPPER_SNAKE identifier:
/// `America/Port-au-Prince` is `AMERICA_PORT_AU_PRINCE`, `Etc/GMT+1` is `ETC_GMT_PLUS_1`,
/// `Etc/GMT-1` is `ETC_GMT_MINUS_1`.
pub fn time_zone_names() -> (Vec<&'static str>, Vec<String>) {
    let zones: Vec<&'static str> = chrono_tz::TZ_VARIANTS.iter().map(|t| t.name()).collect();
    let var_names = zones
        .iter()
        .map(|zone| {
            let mut out = String::new();
            let mut chars = zone.chars().peekable();
            while let Some(c) = chars.next() {
                let next_is_digit = chars.peek().is_some_and(char::is_ascii_digit);
                match c {
                    c if c.is_ascii_alphanumeric() => out.push(c.to_ascii_uppercase()),
                    '+' => out.push_str("_PLUS_"),
                    '-' if next_is_digit => out.push_str("_MINUS_"),
                    _ => out.push('_'),
                }
            }
            out.split('_').filter(|w| !w.is_empty()).collect::<Vec<_>>().join("_")
        })
        .collect();
    (zones, var_names)
}

/// The API's document: the route table's operations (`routes::ApiDoc`) with the conventions
/// every operation follows ([`Conventions`]). The route table owns the operations; this module
/// reads them (routes never imports it).
pub fn spec() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    Conventions.modify(&mut doc);
    doc
}

/// The document as committed: pretty JSON with a final newline.
pub fn document() -> String {
    let mut json = spec().to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}
