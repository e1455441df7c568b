//! The one route table. Each entry names a path, the kind of resource it addresses (for the
//! audit trail of denied attempts) and its methods with their handlers. From it come the actix
//! routes, the `Allow` list of every 405, and the operations of the OpenAPI document: an API route
//! cannot be mounted without being in `/openapi.json` (and `routes_are_the_spec` checks that each
//! handler's documented path and method are the ones it is mounted at).
//!
//! The table's `pages` section holds the pages served from the binary (`/`, `/portal`, `/app` and their
//! assets, `api::pages`): they are mounted like every route (a 405 with `Allow` for other
//! methods) but are not operations of the API, so they are left out of the document.

use actix_web::web;

use crate::domain::ResourceKind;

/// One mounted path: its template, what it addresses (`None` for public probes and pages), its
/// methods.
#[derive(Debug, Clone, Copy)]
pub struct Route {
    pub path: &'static str,
    pub kind: Option<ResourceKind>,
    pub methods: &'static [&'static str],
    /// The `Allow` header of a 405 here.
    pub allow: &'static str,
    /// A page or a page's asset (the `pages` section): mounted, but not an operation of the spec.
    pub page: bool,
}

macro_rules! route_table {
    (
        pages { $($page:literal { $($page_method:ident => $($page_seg:ident)::+),+ $(,)? })* }
        $($scope:ident $prefix:literal {
            $($path:literal $kind:ident { $($method:ident => $($seg:ident)::+),+ $(,)? })*
        })*
    ) => {
        /// Every route, with its full path: the pages, then the API's.
        pub const ROUTES: &[Route] = &[
            $(Route {
                path: $page,
                kind: None,
                methods: &[$(stringify!($page_method)),+],
                allow: route_table!(@allow $($page_method),+),
                page: true,
            },)*
            $($(Route {
                path: concat!($prefix, $path),
                kind: route_table!(@kind $kind),
                methods: &[$(stringify!($method)),+],
                allow: route_table!(@allow $($method),+),
                page: false,
            },)*)*
        ];

        /// Mounts the pages (full paths; not in the OpenAPI document).
        pub fn pages(cfg: &mut web::ServiceConfig) {
            use $crate::api::*;
            $(
                cfg.service(
                    web::resource($page)
                        $(.route(web::route().method(actix_web::http::Method::$page_method).to($($page_seg)::+)))+
                        .default_service($crate::middleware::method_not_allowed(route_table!(@allow $($page_method),+))),
                );
            )*
        }
        $(
            /// Mounts this scope's routes (paths relative to the scope).
            pub fn $scope(cfg: &mut web::ServiceConfig) {
                use $crate::api::*;
                $(
                    cfg.service(
                        web::resource($path)
                            .app_data($crate::domain::resource::RouteKind(route_table!(@kind $kind)))
                            $(.route(web::route().method(actix_web::http::Method::$method).to($($seg)::+)))+
                            .default_service($crate::middleware::method_not_allowed(route_table!(@allow $($method),+))),
                    );
                )*
            }
        )*

        /// The OpenAPI document of every API route in the table (not the pages).
        #[derive(utoipa::OpenApi)]
        #[openapi(
            info(title = "Mend API", version = "1.0.0",
                description = "Case management for counselors who help couples repair trust. The contract (paths, fields, status codes, who may see what) is `openapi/README.md` in the repository, next to this document (`openapi/openapi.json`)."),
            paths($($($(crate::api::$($seg)::+),+),*),*),
            components(schemas(crate::problem::Problem, crate::problem::FieldError, crate::audit::Action,
                crate::domain::Role, crate::domain::role::StaffRole, crate::domain::ResourceKind,
                // Typed ids, which path parameters may name without any body naming them.
                crate::domain::ids::PracticeId, crate::domain::ids::UserId, crate::domain::ids::ClientId,
                crate::domain::ids::CoupleId, crate::domain::ids::SessionId, crate::domain::ids::NoteId,
                crate::domain::ids::BoundaryId, crate::domain::ids::MilestoneId,
                crate::domain::activities::ActivityId, crate::domain::letters::LetterId,
                // A query parameter names it: `GET /couples/{id}/letters?status=`.
                crate::domain::letters::StaffLetterStatus, crate::domain::calendar::CalendarBound,
                crate::domain::consent::ReleaseId, crate::domain::instruments::AssessmentId,
                crate::domain::webhooks::WebhookId, crate::domain::webhooks::WebhookDeliveryId,
                // The error answer of every FHIR operation (added by `fhir::docs::conventions`).
                crate::fhir::docs::FhirOperationOutcome)),
            security(("bearer" = [])),
        )]
        pub struct ApiDoc;
    };
    (@kind Public) => { None };
    (@kind $kind:ident) => { Some(ResourceKind::$kind) };
    (@allow $first:ident $(, $rest:ident)*) => { concat!(stringify!($first) $(, ", ", stringify!($rest))*) };
}

route_table! {
    // The pages and their assets, vendored in the binary (`api::pages::ASSETS`; a name not there is
    // a 404). Public, with the pages' Content-Security-Policy; not operations of the spec.
    pages {
        "/" { GET => pages::serve }
        "/home/{file}" { GET => pages::serve }
        "/portal" { GET => pages::serve }
        "/portal/{file}" { GET => pages::serve }
        "/app" { GET => pages::serve }
        "/app/{file}" { GET => pages::serve }
        "/shared/{file}" { GET => pages::serve }
    }
    top "" {
        "/healthz" Public { GET => health::healthz }
        "/readyz" Public { GET => health::readyz }
    }
    api_v1 "/api/v1" {
        // Identity, practice and audit.
        "/auth/login" User { POST => auth::login::login }
        "/auth/refresh" User { POST => auth::refresh::refresh }
        "/auth/logout" User { POST => auth::logout::logout }
        "/auth/accept-invite" User { POST => auth::accept_invite::accept_invite }
        "/auth/forgot-password" User { POST => auth::forgot_password::forgot_password }
        "/auth/reset-password" User { POST => auth::reset_password::reset_password }
        "/auth/mfa" User { POST => auth::mfa::complete }
        "/me" User { GET => me::read::read }
        "/me/password" User { POST => me::password::change }
        "/me/mfa" User { DELETE => me::mfa::disable }
        "/me/mfa/totp" User { POST => me::mfa::start }
        "/me/mfa/totp/confirm" User { POST => me::mfa::confirm }
        "/practice" Practice { GET => practice::read::read, PATCH => practice::update::update }
        "/users" User { GET => users::list::list, POST => users::create::create }
        "/users/{id}" User { GET => users::read::read, PATCH => users::update::update }
        "/users/{id}/invite" User { POST => users::invite::invite }
        "/users/{id}/mfa/reset" User { POST => users::mfa_reset::reset }
        "/audit-events" AuditEvent { GET => audit::list::list }
        "/audit-checkpoints" AuditEvent { GET => audit::checkpoints::list }
        "/clients/{id}/access-report" Client { GET => audit::access_report::client }
        "/portal/access-report" Client { GET => portal::access_report::report }

        // Clients and couples.
        "/clients" Client { GET => clients::list::list, POST => clients::create::create }
        "/clients/{id}" Client { GET => clients::read::read, PATCH => clients::update::update }
        "/clients/{id}/portal-invite" Client { POST => clients::invite::invite }
        "/couples" Couple { GET => couples::list::list, POST => couples::create::create }
        "/couples/{id}" Couple { GET => couples::read::read, PATCH => couples::update::update }
        "/worklist" Worklist { GET => worklist::list }

        // Sessions, shared summaries and mediation notes.
        "/sessions" Session { GET => sessions::list::list, POST => sessions::create::create }
        "/sessions/{id}" Session { GET => sessions::read::read, PATCH => sessions::update::update }
        "/sessions/{id}/summary" Session { PUT => sessions::summary::put }
        "/sessions/{id}/summary/share" Session { POST => sessions::share::share }
        "/sessions/{id}/notes" Session { GET => notes::list::list, POST => notes::create::create }
        "/notes/{id}" Note { GET => notes::read::read, PATCH => notes::update::update }
        "/notes/{id}/sign" Note { POST => notes::sign::sign }
        "/notes/{id}/addenda" Note { POST => notes::addenda::create }

        // Boundaries, milestones, templates and progress.
        "/couples/{id}/boundaries" Couple { GET => boundaries::list::list, POST => boundaries::create::create }
        "/boundaries/{id}" Boundary { GET => boundaries::read::read, PATCH => boundaries::update::update }
        "/boundaries/{id}/check-ins" Boundary {
            GET => boundaries::check_in_list::list,
            POST => boundaries::check_in_create::create,
        }
        "/milestone-templates" MilestoneTemplate { GET => milestones::templates::list }
        "/couples/{id}/milestones" Couple { GET => milestones::list::list, POST => milestones::create::create }
        "/couples/{id}/milestones/from-template" Couple { POST => milestones::from_template::from_template }
        "/milestones/{id}" Milestone { GET => milestones::read::read, PATCH => milestones::update::update }
        "/couples/{id}/progress" Couple { GET => milestones::progress::progress }

        // The client portal.
        "/portal/me" Client { GET => portal::me::me }
        "/portal/practice" Practice { GET => portal::practice::read }
        "/portal/couples" Couple { GET => portal::couples::list }
        "/portal/measures/{instrument}" Measure { GET => portal::measures::read }
        "/portal/sessions" Session { GET => portal::sessions::sessions }
        "/portal/boundaries" Boundary { GET => portal::boundaries::list }
        "/portal/boundaries/{id}/acknowledge" Boundary { POST => portal::acknowledge::acknowledge }
        "/portal/boundaries/{id}/check-ins" Boundary {
            GET => portal::check_in_list::list,
            POST => portal::check_in_create::create,
        }
        "/portal/milestones" Milestone { GET => portal::milestones::list }

        // ---- consent and release (issue 16) ----
        "/couples/{id}/confidentiality-policy" ConfidentialityPolicy {
            GET => consent::read::read,
            PUT => consent::put::put,
        }
        "/releases" Release { POST => releases::create::create }
        "/releases/{id}" Release { GET => releases::read::read }
        "/releases/{id}/disclose" Release { POST => releases::disclose::disclose }
        "/releases/{id}/document" Release { GET => releases::document::document }
        "/couples/{id}/releases" Couple { GET => releases::list::couple }
        "/clients/{id}/releases" Client { GET => releases::list::client }
        "/clients/{id}/disclosures" Client { GET => releases::disclosures::list }
        "/portal/consents" ConfidentialityPolicy { GET => portal::consents_list::list }
        "/portal/consents/{couple_id}/sign" ConfidentialityPolicy { POST => portal::consents_sign::sign }
        "/portal/releases" Release { GET => portal::releases_list::list }
        "/portal/releases/{id}/authorize" Release { POST => portal::releases_authorize::authorize }
        "/portal/releases/{id}/revoke" Release { POST => portal::releases_revoke::revoke }
        "/portal/releases/{id}/preview" Release { GET => portal::releases_preview::preview }
        // ---- end consent and release ----
        // Outcome measures.
        "/instruments" Instrument { GET => assessments::instruments::list }
        "/couples/{id}/assessments" Couple {
            GET => assessments::list::for_couple,
            POST => assessments::create::for_couple,
        }
        "/clients/{id}/assessments" Client {
            GET => assessments::list::for_client,
            POST => assessments::create::for_client,
        }
        "/assessments/{id}" Assessment { GET => assessments::read::read }
        "/assessments/{id}/responses" Assessment { POST => assessments::respond::respond }
        "/couples/{id}/measures/{instrument}" Couple { GET => assessments::measures::measures }
        "/couples/{id}/measures/{instrument}/chart.svg" Couple { GET => assessments::measures::chart }
        "/portal/assessments" Assessment { GET => portal::assessments_list::list }
        "/portal/assessments/{id}" Assessment { GET => portal::assessments_read::read }
        "/portal/assessments/{id}/responses" Assessment { POST => portal::assessments_respond::respond }
        // ---- letters and activities (issue 14) ----
        "/couples/{id}/letters" Couple { GET => letters::list::list }
        "/letters/{id}" Letter { GET => letters::read::read }
        "/letters/{id}/return" Letter { POST => letters::send_back::send_back }
        "/letters/{id}/release" Letter { POST => letters::release::release }
        "/portal/letters" Letter { GET => portal::letters_list::list, POST => portal::letters_create::create }
        "/portal/letters/{id}" Letter { GET => portal::letters_read::read, PATCH => portal::letters_update::update }
        "/portal/letters/{id}/submit" Letter { POST => portal::letters_submit::submit }
        "/portal/letters/{id}/withdraw" Letter { POST => portal::letters_withdraw::withdraw }
        "/activity-templates" ActivityTemplate { GET => activities::templates::list }
        "/couples/{id}/activities" Couple { GET => activities::list::list, POST => activities::create::create }
        "/couples/{id}/activities/from-template" Couple { POST => activities::from_template::from_template }
        "/activities/{id}" Activity { GET => activities::read::read, PATCH => activities::update::update }
        "/activities/{id}/logs" Activity { GET => activities::log_list::list, POST => activities::log_create::create }
        "/portal/activities" Activity { GET => portal::activities_list::list }
        "/portal/activities/{id}/logs" Activity {
            GET => portal::activities_log_list::list,
            POST => portal::activities_log_create::create,
        }
        // ---- end letters and activities ----
        // Webhooks for integrators (admins).
        "/webhooks" Webhook { GET => webhooks::list::list, POST => webhooks::create::create }
        "/webhooks/{id}" Webhook {
            GET => webhooks::read::read,
            PATCH => webhooks::update::update,
            DELETE => webhooks::delete::delete,
        }
        "/webhooks/{id}/rotate-secret" Webhook { POST => webhooks::rotate::rotate }
        "/webhooks/{id}/deliveries" Webhook { GET => webhooks::deliveries::list }
        "/webhooks/{id}/deliveries/{delivery_id}/retry" WebhookDelivery { POST => webhooks::retry::retry }
    }
    // FHIR R4, read-only (`fhir::*` maps; errors are OperationOutcomes, `fhir::outcome`).
    fhir "/fhir/R4" {
        "/metadata" Public { GET => fhir::metadata::metadata }
        "/Patient/{id}" Client { GET => fhir::patient::read }
        "/Group/{id}" Couple { GET => fhir::group::read }
        "/Group/{id}/$everything" Couple { GET => fhir::everything::everything }
        "/Encounter" Session { GET => fhir::encounter::search }
        "/Encounter/{id}" Session { GET => fhir::encounter::read }
        "/CarePlan/{id}" Couple { GET => fhir::careplan::read }
        "/Goal" Milestone { GET => fhir::goal::search }
        "/Goal/{id}" Milestone { GET => fhir::goal::read }
        "/QuestionnaireResponse/{id}" Assessment { GET => fhir::questionnaire_response::read }
        "/Observation/{id}" Assessment { GET => fhir::observation::read }
        "/Consent/{id}" Release { GET => fhir::consent::read }
    }
}

/// The route whose template is `pattern` (actix's `match_pattern`, scope prefix included).
pub fn route(pattern: &str) -> Option<&'static Route> {
    ROUTES.iter().find(|r| r.path == pattern)
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::OpenApi;

    /// The spec's operations are exactly the table's API routes: same paths, same methods. The
    /// pages (and only they) are left out, each one by the table's `pages` section.
    #[test]
    fn routes_are_the_spec() {
        let doc = ApiDoc::openapi();
        let mut spec: Vec<(String, String)> = Vec::new();
        for (path, item) in &doc.paths.paths {
            let ops = [
                ("GET", &item.get),
                ("POST", &item.post),
                ("PUT", &item.put),
                ("PATCH", &item.patch),
                ("DELETE", &item.delete),
            ];
            for (method, op) in ops {
                if op.is_some() {
                    spec.push((path.clone(), method.to_string()));
                }
            }
        }
        let mut table: Vec<(String, String)> = ROUTES
            .iter()
            .filter(|r| !r.page)
            .flat_map(|r| r.methods.iter().map(|m| (r.path.to_string(), m.to_string())))
            .collect();
        spec.sort();
        table.sort();
        assert_eq!(spec, table, "a handler's #[utoipa::path] disagrees with where the table mounts it");
        // Every `$ref` of the document resolves to one of its components.
        let json = serde_json::to_string(&doc).expect("json");
        let components: Vec<String> =
            doc.components.as_ref().map(|c| c.schemas.keys().cloned().collect()).unwrap_or_default();
        for piece in json.split("\"#/components/schemas/").skip(1) {
            let name = piece.split('"').next().unwrap_or_default();
            assert!(components.iter().any(|c| c == name), "$ref to a missing component {name}");
        }
        // A page is never in the spec, and the pages' paths are exactly the page routes: they get the
        // pages' Content-Security-Policy, and no API route does.
        for r in ROUTES {
            let template = r.path.replace("{file}", "x.js");
            assert_eq!(r.page, crate::api::pages::is_page_path(&template), "{}: page or not", r.path);
            if r.page {
                assert!(!doc.paths.paths.contains_key(r.path), "the page {} is an operation of the spec", r.path);
                assert_eq!(r.methods, ["GET"], "{}", r.path);
            }
        }
        let mut paths: Vec<&str> = ROUTES.iter().map(|r| r.path).collect();
        paths.sort();
        paths.dedup();
        assert_eq!(paths.len(), ROUTES.len(), "a path is listed twice");
    }
}
