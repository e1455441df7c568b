use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use crate::audit::{self, audited, record, Action, Outcome, Target};
use crate::auth::Staff;
use crate::db::now;
use crate::domain::ids::{ClientId, UserId};
use crate::domain::patch::nullable;
use crate::domain::value::{parsed, Email, Name, PastDate, Phone};
use crate::domain::{ClientStatus, ResourceKind};
use crate::extract::{field_rule, ValidJson};
use crate::http::{ok_versioned, IfMatch};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::clients::{self, ClientChanges, ClientRow};
use crate::views::clients::{client_view, ClientView};

/// Counselors on one client.
pub const COUNSELORS_MAX: usize = 20;

/// Absent fields stay as they are; the nullable ones are cleared with `null`.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "present_fields_are_not_null"))]
pub struct UpdateClientRequest {
    #[serde(default, deserialize_with = "nullable")]
    #[validate(custom(function = "Name::check"))]
    #[schema(value_type = Name)]
    pub first_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(custom(function = "Name::check"))]
    #[schema(value_type = Name)]
    pub last_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(custom(function = "Name::check"))]
    #[schema(value_type = Option<Name>)]
    pub preferred_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(custom(function = "Name::check"))]
    #[schema(value_type = Option<Name>)]
    pub pronouns: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(custom(function = "PastDate::check"))]
    #[schema(value_type = Option<PastDate>)]
    pub date_of_birth: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(custom(function = "Email::check"))]
    #[schema(value_type = Option<Email>)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(custom(function = "Phone::check"))]
    #[schema(value_type = Option<Phone>)]
    pub phone: Option<Option<String>>,
    /// Clients are discharged, never deleted.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = ClientStatus)]
    pub status: Option<Option<ClientStatus>>,
    /// Admins only (a counselor sending it gets 403, or 404 for a client they cannot see): replaces the staff assigned to the
    /// client. Each must be an active admin or counselor of the practice.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(custom(function = "counselor_ids_rule"))]
    #[schema(schema_with = crate::api::sessions::docs::client_counselor_ids)]
    pub counselor_ids: Option<Option<Vec<String>>>,
}

/// `first_name`, `last_name`, `status` and `counselor_ids` may be changed but never cleared.
fn present_fields_are_not_null(r: &UpdateClientRequest) -> Result<(), ValidationError> {
    let nulls = [
        ("first_name", matches!(r.first_name, Some(None))),
        ("last_name", matches!(r.last_name, Some(None))),
        ("status", matches!(r.status, Some(None))),
        ("counselor_ids", matches!(r.counselor_ids, Some(None))),
    ];
    match nulls.into_iter().find(|(_, null)| *null) {
        Some((field, _)) => Err(field_rule(field, "must not be null")),
        None => Ok(()),
    }
}

/// At most 20 ids, each a UUID.
fn counselor_ids_rule(ids: &[String]) -> Result<(), ValidationError> {
    if ids.len() > COUNSELORS_MAX {
        return Err(crate::extract::rule(format!("must hold at most {COUNSELORS_MAX} counselors")));
    }
    if ids.iter().any(|id| id.parse::<UserId>().is_err()) {
        return Err(crate::extract::rule("must be active staff of the practice"));
    }
    Ok(())
}

/// A change to one field: `None` leaves it, `Some(None)` clears it, `Some(Some(v))` sets it.
type Change<T> = Option<Option<T>>;

/// The checked request: each present field as its domain value.
struct Patch {
    first_name: Option<Name>,
    last_name: Option<Name>,
    preferred_name: Change<Name>,
    pronouns: Change<Name>,
    date_of_birth: Change<PastDate>,
    email: Change<Email>,
    phone: Change<Phone>,
    status: Option<ClientStatus>,
    /// For an admin: the new counselors, duplicates removed, order kept.
    counselor_ids: Option<Vec<UserId>>,
}

fn change<T>(
    field: &str,
    value: Option<Option<String>>,
    parse: impl Fn(String) -> Result<T, std::borrow::Cow<'static, str>>,
) -> AppResult<Change<T>> {
    value.map(|v| v.map(|v| parsed(field, parse(v))).transpose()).transpose()
}

impl TryFrom<UpdateClientRequest> for Patch {
    type Error = AppError;
    fn try_from(r: UpdateClientRequest) -> AppResult<Patch> {
        let counselor_ids = r.counselor_ids.flatten().map(|ids| {
            let mut unique: Vec<UserId> = Vec::with_capacity(ids.len());
            for id in ids.iter().filter_map(|id| id.parse::<UserId>().ok()) {
                if !unique.contains(&id) {
                    unique.push(id);
                }
            }
            unique
        });
        Ok(Patch {
            first_name: change("first_name", r.first_name, Name::parse)?.flatten(),
            last_name: change("last_name", r.last_name, Name::parse)?.flatten(),
            preferred_name: change("preferred_name", r.preferred_name, Name::parse)?,
            pronouns: change("pronouns", r.pronouns, Name::parse)?,
            date_of_birth: change("date_of_birth", r.date_of_birth, |v| PastDate::parse(&v))?,
            email: change("email", r.email, |v| Email::parse(&v))?,
            phone: change("phone", r.phone, Phone::parse)?,
            status: r.status.flatten(),
            counselor_ids,
        })
    }
}

impl Patch {
    /// Does the request change the record itself (not only its counselors)?
    fn changes_record(&self) -> bool {
        self.first_name.is_some()
            || self.last_name.is_some()
            || self.preferred_name.is_some()
            || self.pronouns.is_some()
            || self.date_of_birth.is_some()
            || self.email.is_some()
            || self.phone.is_some()
            || self.status.is_some()
    }

    /// The record after the change. The current row's text was checked when it was written.
    fn apply(&self, c: ClientRow) -> AppResult<ClientChanges> {
        let keep = |field: &str, v: String| parsed(field, Name::parse(v));
        let keep_opt = |field: &str, v: Option<String>| v.map(|v| keep(field, v)).transpose();
        Ok(ClientChanges {
            first_name: self.first_name.clone().map_or_else(|| keep("first_name", c.first_name), Ok)?,
            last_name: self.last_name.clone().map_or_else(|| keep("last_name", c.last_name), Ok)?,
            preferred_name: self
                .preferred_name
                .clone()
                .map_or_else(|| keep_opt("preferred_name", c.preferred_name), Ok)?,
            pronouns: self.pronouns.clone().map_or_else(|| keep_opt("pronouns", c.pronouns), Ok)?,
            date_of_birth: match &self.date_of_birth {
                Some(v) => v.clone(),
                None => c.date_of_birth.map(|d| parsed("date_of_birth", PastDate::parse(&d))).transpose()?,
            },
            email: match &self.email {
                Some(v) => v.clone(),
                None => c.email.map(|e| parsed("email", Email::parse(&e))).transpose()?,
            },
            phone: match &self.phone {
                Some(v) => v.clone(),
                None => c.phone.map(|p| parsed("phone", Phone::parse(p))).transpose()?,
            },
            status: self.status.unwrap_or(c.status),
            version: c.version + 1,
            updated_at: now(),
        })
    }
}

/// Change a client's record, status (discharge) or, for admins, counselors.
///
/// A change of `counselor_ids` is audited as `assign` (besides `update` when other fields
/// change too). A counselor sending `counselor_ids` gets 403 (404 for a client they cannot see)
/// and nothing changes.
#[utoipa::path(patch, path = "/api/v1/clients/{id}", tag = "clients", params(("id" = ClientId, Path)),
    request_body = UpdateClientRequest, responses((status = 200, body = ClientView, headers(("ETag" = String)))))]
pub async fn update(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<ClientId>,
    if_match: IfMatch,
    body: ValidJson<UpdateClientRequest>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let wants_assign = body.counselor_ids.is_some();
    if wants_assign && !staff.is_admin() {
        // 404 for a client they cannot see, else 403; audited either way.
        let find_id = id.clone();
        let find = move |conn: &mut _, actor: &_| clients::find_visible(conn, actor, &find_id).map(drop);
        return audit::assign_refused(&state.db, staff.0, ResourceKind::Client, id.to_string(), find).await;
    }
    let patch = Patch::try_from(body.into_inner())?;
    let changes_record = patch.changes_record();
    let action = if changes_record || !wants_assign { Action::Update } else { Action::Assign };
    let view = state
        .db
        .run(move |conn| {
            audited(conn, &staff, Target::new(action, ResourceKind::Client, Some(&id)), |conn| {
                let current = clients::find_visible(conn, &staff, &id)?;
                if_match.check(current.version)?;
                if let Some(ids) = &patch.counselor_ids {
                    if !clients::all_staff_of_practice(conn, &staff.practice_id, ids)? {
                        return Err(AppError::field("counselor_ids", "must be active staff of the practice"));
                    }
                }
                if changes_record || wants_assign {
                    let version = current.version;
                    if !clients::update(conn, &id, version, &patch.apply(current)?)? {
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
                let row = clients::find_visible(conn, &staff, &id)?;
                Ok(client_view(conn, row)?)
            })
        })
        .await?;
    let version = view.version;
    Ok(ok_versioned(&view, version))
}
