use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::audit::{self, audited, record, Action, Outcome, Target};
use crate::auth::Staff;
use crate::domain::client::{self as rules, NAME_MAX};
use crate::domain::patch::{not_null, nullable};
use crate::domain::ResourceKind;
use crate::domain::{date, text, ClientStatus};
use crate::http::{ok_versioned, IfMatch};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::clients::{self, ClientChanges, ClientRow};
use crate::views::clients::{client_view, ClientView};

/// Absent fields stay as they are; the nullable ones are cleared with `null`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateClientRequest {
    /// 1 to 100 characters, not blank.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = String, min_length = 1, max_length = 100, pattern = r"\S")]
    pub first_name: Option<Option<String>>,
    /// 1 to 100 characters, not blank.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = String, min_length = 1, max_length = 100, pattern = r"\S")]
    pub last_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, nullable, min_length = 1, max_length = 100, pattern = r"\S")]
    pub preferred_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, nullable, min_length = 1, max_length = 100, pattern = r"\S")]
    pub pronouns: Option<Option<String>>,
    /// `YYYY-MM-DD`, a real date, not in the future.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, nullable, format = Date, pattern = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub date_of_birth: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, nullable, max_length = 254, pattern = r"^[^@\s\x00-\x1f\x7f-\x9f]+@[^@\s.\x00-\x1f\x7f-\x9f][^@\s\x00-\x1f\x7f-\x9f]*\.[^@\s\x00-\x1f\x7f-\x9f]*[^@\s.\x00-\x1f\x7f-\x9f]$")]
    pub email: Option<Option<String>>,
    /// 1 to 40 characters, not blank.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, nullable, min_length = 1, max_length = 40, pattern = r"\S")]
    pub phone: Option<Option<String>>,
    /// Clients are discharged, never deleted.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = ClientStatus)]
    pub status: Option<Option<ClientStatus>>,
    /// Admins only (a counselor sending it gets 403): replaces the staff assigned to the
    /// client. Each must be an active admin or counselor of the practice.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(schema_with = crate::api::sessions::docs::client_counselor_ids)]
    pub counselor_ids: Option<Option<Vec<String>>>,
}

/// A checked request: the fields to change and, for an admin, the new counselors.
struct Patch {
    req: UpdateClientRequest,
    counselor_ids: Option<Vec<String>>,
}

impl Patch {
    fn parse(mut req: UpdateClientRequest) -> AppResult<Patch> {
        let counselor_ids = not_null("counselor_ids", req.counselor_ids.take())
            .and_then(|ids| ids.map(|ids| rules::counselor_ids("counselor_ids", &ids)).transpose());
        let today = date::today();
        let present = |v: &Option<Option<String>>| v.clone().flatten();
        text::collect([
            not_null("first_name", req.first_name.clone())
                .and_then(|v| v.map_or(Ok(()), |v| rules::name("first_name", &v))),
            not_null("last_name", req.last_name.clone())
                .and_then(|v| v.map_or(Ok(()), |v| rules::name("last_name", &v))),
            not_null("status", req.status).map(|_| ()),
            rules::optional("preferred_name", present(&req.preferred_name).as_deref(), NAME_MAX),
            rules::optional("pronouns", present(&req.pronouns).as_deref(), NAME_MAX),
            present(&req.date_of_birth).map_or(Ok(()), |d| date::past("date_of_birth", &d, today).map(|_| ())),
            rules::email("email", present(&req.email).as_deref()).map(|_| ()),
            rules::phone("phone", present(&req.phone).as_deref()),
            counselor_ids.as_ref().map(|_| ()).map_err(Clone::clone),
        ])?;
        let counselor_ids = counselor_ids.map_err(|e| AppError::Validation(vec![e]))?;
        Ok(Patch { req, counselor_ids })
    }

    /// Does the request change the record itself (not only its counselors)?
    fn changes_record(&self) -> bool {
        let r = &self.req;
        r.first_name.is_some()
            || r.last_name.is_some()
            || r.preferred_name.is_some()
            || r.pronouns.is_some()
            || r.date_of_birth.is_some()
            || r.email.is_some()
            || r.phone.is_some()
            || r.status.is_some()
    }

    /// The record after the change (values were checked in `parse`).
    fn apply(&self, c: ClientRow) -> ClientChanges {
        let r = &self.req;
        let pick = |new: &Option<Option<String>>, old: Option<String>| new.clone().unwrap_or(old);
        ClientChanges {
            first_name: r.first_name.clone().flatten().unwrap_or(c.first_name),
            last_name: r.last_name.clone().flatten().unwrap_or(c.last_name),
            preferred_name: pick(&r.preferred_name, c.preferred_name),
            pronouns: pick(&r.pronouns, c.pronouns),
            date_of_birth: pick(&r.date_of_birth, c.date_of_birth),
            email: pick(&r.email.clone().map(|e| e.map(|e| e.trim().to_lowercase())), c.email),
            phone: pick(&r.phone, c.phone),
            status: r.status.flatten().or(ClientStatus::parse(&c.status)).unwrap_or(ClientStatus::Active),
        }
    }
}

/// Change a client's record, status (discharge) or, for admins, counselors.
///
/// A change of `counselor_ids` is audited as `assign` (besides `update` when other fields
/// change too). A counselor sending `counselor_ids` gets 403 and nothing changes.
#[utoipa::path(patch, path = "/api/v1/clients/{id}", tag = "clients", params(("id" = Uuid, Path)),
    request_body = UpdateClientRequest, responses((status = 200, body = ClientView, headers(("ETag" = String)))))]
pub async fn update(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    if_match: IfMatch,
    body: web::Json<UpdateClientRequest>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().to_string();
    let wants_assign = body.counselor_ids.is_some();
    if wants_assign && !staff.is_admin() {
        return audit::forbidden(&state.db, staff.0, Action::Assign, ResourceKind::Client, id).await;
    }
    let patch = Patch::parse(body.into_inner())?;
    let changes_record = patch.changes_record();
    let action = if changes_record || !wants_assign { Action::Update } else { Action::Assign };
    let view = state
        .db
        .run(move |conn| {
            audited(conn, &staff, Target::new(action, ResourceKind::Client, Some(&id)), |conn| {
                let current = clients::find_visible(conn, &staff, &id)?.ok_or(AppError::NotFound)?;
                if_match.check(current.version)?;
                if let Some(ids) = &patch.counselor_ids {
                    if !clients::all_staff_of_practice(conn, &staff.practice_id, ids)? {
                        return Err(AppError::field("counselor_ids", "must be active staff of the practice"));
                    }
                }
                if changes_record || wants_assign {
                    let version = current.version;
                    if !clients::update(conn, &id, version, &patch.apply(current))? {
                        return Err(AppError::PreconditionFailed);
                    }
                }
                if let Some(ids) = &patch.counselor_ids {
                    clients::set_counselors(conn, &staff.practice_id, &id, ids)?;
                    if action != Action::Assign {
                        let ctx = staff.audit_context();
                        record(conn, &ctx, Action::Assign, ResourceKind::Client, Some(&id), Outcome::Success)?;
                    }
                }
                let row = clients::find_visible(conn, &staff, &id)?.ok_or(AppError::NotFound)?;
                Ok(client_view(conn, row)?)
            })
        })
        .await?;
    let version = view.version;
    Ok(ok_versioned(&view, version))
}
