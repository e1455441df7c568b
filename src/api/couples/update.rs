use actix_web::{web, HttpResponse};
use diesel::OptionalExtension;
use serde::Deserialize;
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use crate::audit::{self, audited, record, Action, Outcome, Target};
use crate::auth::Staff;
use crate::db::now;
use crate::domain::client::COUNSELORS_MAX;
use crate::domain::ids::{CoupleId, UserId};
use crate::domain::patch::nullable;
use crate::domain::value::{parsed, Concern, PastDate};
use crate::domain::{CoupleStatus, ResourceKind};
use crate::extract::{field_rule, rule, ValidJson};
use crate::http::{ok_versioned, IfMatch};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::clients::all_staff_of_practice;
use crate::store::couples::{self, CoupleChanges, CoupleRow};
use crate::views::clients::{couple_view, CoupleView};

/// Absent fields stay as they are; the nullable ones are cleared with `null`.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "present_fields_are_not_null", skip_on_field_errors = false))]
pub struct UpdateCoupleRequest {
    /// Couples are closed, never deleted.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = CoupleStatus)]
    pub status: Option<Option<CoupleStatus>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(custom(function = "Concern::check"))]
    #[schema(value_type = Option<Concern>)]
    pub presenting_concern: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(custom(function = "PastDate::check"))]
    #[schema(value_type = Option<PastDate>)]
    pub relationship_started_on: Option<Option<String>>,
    /// Admins only (a counselor sending it gets 403): replaces the staff assigned to the
    /// couple; at least one, each an active admin or counselor of the practice.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(custom(function = "counselor_ids_rule"))]
    #[schema(schema_with = crate::api::sessions::docs::couple_counselor_ids)]
    pub counselor_ids: Option<Option<Vec<String>>>,
}

/// `status` and `counselor_ids` may be changed but never cleared.
fn present_fields_are_not_null(r: &UpdateCoupleRequest) -> Result<(), ValidationError> {
    let nulls = [("status", matches!(r.status, Some(None))), ("counselor_ids", matches!(r.counselor_ids, Some(None)))];
    match nulls.into_iter().find(|(_, null)| *null) {
        Some((field, _)) => Err(field_rule(field, "must not be null")),
        None => Ok(()),
    }
}

/// 1 to 20 ids (whether they are staff of the practice is the store's question).
fn counselor_ids_rule(ids: &[String]) -> Result<(), ValidationError> {
    if ids.is_empty() {
        return Err(rule("a couple keeps at least one counselor"));
    }
    if ids.len() > COUNSELORS_MAX {
        return Err(rule(format!("must hold at most {COUNSELORS_MAX} counselors")));
    }
    Ok(())
}

/// A change to one field: `None` leaves it, `Some(None)` clears it, `Some(Some(v))` sets it.
type Change<T> = Option<Option<T>>;

/// The checked request: each present field as its domain value.
struct Patch {
    status: Option<CoupleStatus>,
    presenting_concern: Change<Concern>,
    relationship_started_on: Change<PastDate>,
    /// The new counselors, duplicates removed, order kept; `None` inside when an id is not a
    /// UUID (no staff member has it: answered like one of another practice).
    counselor_ids: Option<Option<Vec<UserId>>>,
}

impl TryFrom<UpdateCoupleRequest> for Patch {
    type Error = AppError;
    fn try_from(r: UpdateCoupleRequest) -> AppResult<Patch> {
        let counselor_ids = r.counselor_ids.flatten().map(|ids| {
            let typed: Option<Vec<UserId>> = ids.iter().map(|id| id.parse().ok()).collect();
            typed.map(|typed| {
                let mut unique: Vec<UserId> = Vec::with_capacity(typed.len());
                for id in typed {
                    if !unique.contains(&id) {
                        unique.push(id);
                    }
                }
                unique
            })
        });
        Ok(Patch {
            status: r.status.flatten(),
            presenting_concern: r
                .presenting_concern
                .map(|v| v.map(|v| parsed("presenting_concern", Concern::parse(v))).transpose())
                .transpose()?,
            relationship_started_on: r
                .relationship_started_on
                .map(|v| v.map(|v| parsed("relationship_started_on", PastDate::parse(&v))).transpose())
                .transpose()?,
            counselor_ids,
        })
    }
}

impl Patch {
    /// Only a change of counselors (what an unassigned admin may do)?
    fn only_assign(&self) -> bool {
        self.counselor_ids.is_some()
            && self.status.is_none()
            && self.presenting_concern.is_none()
            && self.relationship_started_on.is_none()
    }

    /// An empty body changes nothing (and does not move the version).
    fn is_empty(&self) -> bool {
        self.counselor_ids.is_none()
            && self.status.is_none()
            && self.presenting_concern.is_none()
            && self.relationship_started_on.is_none()
    }

    /// The couple after the change. The current row's text was checked when it was written.
    fn apply(&self, c: CoupleRow) -> AppResult<CoupleChanges> {
        Ok(CoupleChanges {
            status: self.status.unwrap_or(c.status),
            presenting_concern: match &self.presenting_concern {
                Some(v) => v.clone(),
                None => c.presenting_concern.map(|v| parsed("presenting_concern", Concern::parse(v))).transpose()?,
            },
            relationship_started_on: match &self.relationship_started_on {
                Some(v) => v.clone(),
                None => c
                    .relationship_started_on
                    .map(|v| parsed("relationship_started_on", PastDate::parse(&v)))
                    .transpose()?,
            },
            version: c.version + 1,
            updated_at: now(),
        })
    }
}

/// Change a couple's status, presenting concern, start date or (admins) counselors.
///
/// For the staff assigned to the couple. One exception: an admin who is not assigned may send
/// a body holding ONLY `counselor_ids`, to fix the couple's assignments (audited `assign`);
/// any other request by an unassigned admin is 404. That admin is answered 200 with the
/// couple whose `presenting_concern` is null, because clinical content is shown only to staff
/// assigned to the couple both before and after the change. A change of `counselor_ids` is
/// audited as `assign`; a counselor sending it gets 403 (404 for a couple they cannot see) and
/// nothing changes.
#[utoipa::path(patch, path = "/api/v1/couples/{id}", tag = "couples", params(("id" = CoupleId, Path)),
    request_body = UpdateCoupleRequest, responses((status = 200, body = CoupleView, headers(("ETag" = String)))))]
pub async fn update(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<CoupleId>,
    if_match: IfMatch,
    body: ValidJson<UpdateCoupleRequest>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    if body.counselor_ids.is_some() && !staff.is_admin() {
        // 404 for a couple they cannot see, else 403; audited either way.
        let find_id = id.clone();
        let find = move |conn: &mut _, actor: &_| couples::find_visible(conn, actor, &find_id).map(drop);
        return audit::assign_refused(&state.db, staff.0, ResourceKind::Couple, id.to_string(), find).await;
    }
    let patch = Patch::try_from(body.into_inner())?;
    let only_assign = patch.only_assign();
    let action = if only_assign { Action::Assign } else { Action::Update };
    let view = state
        .db
        .run(move |conn| {
            audited(conn, &staff, Target::new(action, ResourceKind::Couple, Some(&id)), |conn| {
                let (current, was_assigned) = match couples::find_visible(conn, &staff, &id).optional()? {
                    Some(row) => (row, true),
                    None if only_assign => (couples::find_assignable(conn, &staff, &id)?, false),
                    None => return Err(AppError::NotFound),
                };
                if_match.check(current.version)?;
                let counselor_ids: Option<&Vec<UserId>> = match &patch.counselor_ids {
                    None => None,
                    Some(ids) => {
                        let known = match ids {
                            Some(ids) => all_staff_of_practice(conn, &staff.practice_id, ids)?,
                            None => false,
                        };
                        if !known {
                            return Err(AppError::field("counselor_ids", "must be active staff of the practice"));
                        }
                        ids.as_ref()
                    }
                };
                let version = current.version;
                if !patch.is_empty() && !couples::update(conn, &id, version, &patch.apply(current)?)? {
                    return Err(AppError::PreconditionFailed);
                }
                let mut still_assigned = was_assigned;
                if let Some(ids) = counselor_ids {
                    couples::set_counselors(conn, &staff.practice_id, &id, ids)?;
                    still_assigned = was_assigned && ids.contains(&staff.user_id);
                    if action != Action::Assign {
                        let ctx = staff.audit_context();
                        record(conn, &ctx, Action::Assign, ResourceKind::Couple, Some(&id), Outcome::Success)?;
                    }
                }
                // Read back in the scope of the couples' list: the change let only a caller in.
                let mut view = couple_view(conn, &staff, &id)?;
                if !still_assigned {
                    view.presenting_concern = None;
                }
                Ok(view)
            })
        })
        .await?;
    let version = view.version;
    Ok(ok_versioned(&view, version))
}
