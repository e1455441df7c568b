use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::audit::{self, audited, record, Action, Outcome, Target};
use crate::auth::Staff;
use crate::domain::client::{self as rules, CONCERN_MAX};
use crate::domain::ids::UserId;
use crate::domain::patch::{not_null, nullable};
use crate::domain::ResourceKind;
use crate::domain::{date, text, CoupleStatus};
use crate::http::{ok_versioned, IfMatch};
use crate::problem::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::store::clients::all_staff_of_practice;
use crate::store::couples::{self, CoupleChanges, CoupleRow};
use crate::views::clients::couple_view;
use crate::views::clients::CoupleView;

/// Absent fields stay as they are; the nullable ones are cleared with `null`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCoupleRequest {
    /// Couples are closed, never deleted.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = CoupleStatus)]
    pub status: Option<Option<CoupleStatus>>,
    /// 1 to 5000 characters, not blank.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, nullable, min_length = 1, max_length = 5000, pattern = r"\S")]
    pub presenting_concern: Option<Option<String>>,
    /// `YYYY-MM-DD`, not in the future.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, nullable, format = Date, pattern = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub relationship_started_on: Option<Option<String>>,
    /// Admins only (a counselor sending it gets 403): replaces the staff assigned to the
    /// couple; at least one, each an active admin or counselor of the practice.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(schema_with = crate::api::sessions::docs::couple_counselor_ids)]
    pub counselor_ids: Option<Option<Vec<String>>>,
}

struct Patch {
    status: Option<CoupleStatus>,
    presenting_concern: Option<Option<String>>,
    relationship_started_on: Option<Option<String>>,
    counselor_ids: Option<Vec<String>>,
}

impl Patch {
    fn parse(req: UpdateCoupleRequest) -> AppResult<Patch> {
        let status = not_null("status", req.status);
        let started = match req.relationship_started_on {
            Some(Some(d)) => date::past("relationship_started_on", &d, date::today()).map(|d| Some(Some(d))),
            other => Ok(other),
        };
        let counselors = not_null("counselor_ids", req.counselor_ids).and_then(|ids| match ids {
            Some(ids) if ids.is_empty() => {
                Err(FieldError::new("counselor_ids", "a couple keeps at least one counselor"))
            }
            Some(ids) => rules::counselor_ids("counselor_ids", &ids).map(Some),
            None => Ok(None),
        });
        let concern = req.presenting_concern.clone().flatten();
        text::collect([
            status.as_ref().map(|_| ()).map_err(Clone::clone),
            rules::optional("presenting_concern", concern.as_deref(), CONCERN_MAX),
            started.as_ref().map(|_| ()).map_err(Clone::clone),
            counselors.as_ref().map(|_| ()).map_err(Clone::clone),
        ])?;
        let one = |e: FieldError| AppError::Validation(vec![e]);
        Ok(Patch {
            status: status.map_err(one)?,
            presenting_concern: req.presenting_concern,
            relationship_started_on: started.map_err(one)?,
            counselor_ids: counselors.map_err(one)?,
        })
    }

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

    fn apply(&self, c: CoupleRow) -> CoupleChanges {
        CoupleChanges {
            status: self.status.or(CoupleStatus::parse(&c.status)).unwrap_or(CoupleStatus::Active),
            presenting_concern: self.presenting_concern.clone().unwrap_or(c.presenting_concern),
            relationship_started_on: self.relationship_started_on.clone().unwrap_or(c.relationship_started_on),
        }
    }
}

/// Change a couple's status, presenting concern, start date or (admins) counselors.
///
/// For the staff assigned to the couple. One exception: an admin who is not assigned may send
/// a body holding ONLY `counselor_ids`, to fix the couple's assignments (audited `assign`);
/// any other request by an unassigned admin is 404. That admin is answered 200 with the
/// couple whose `presenting_concern` is null, because clinical content is shown only to staff
/// assigned to the couple both before and after the change. A change of `counselor_ids` is
/// audited as `assign`; a counselor sending it gets 403 and nothing changes.
#[utoipa::path(patch, path = "/api/v1/couples/{id}", tag = "couples", params(("id" = Uuid, Path)),
    request_body = UpdateCoupleRequest, responses((status = 200, body = CoupleView, headers(("ETag" = String)))))]
pub async fn update(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    if_match: IfMatch,
    body: web::Json<UpdateCoupleRequest>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().to_string();
    if body.counselor_ids.is_some() && !staff.is_admin() {
        return audit::forbidden(&state.db, staff.0, Action::Assign, ResourceKind::Couple, id).await;
    }
    let patch = Patch::parse(body.into_inner())?;
    let only_assign = patch.only_assign();
    let action = if only_assign { Action::Assign } else { Action::Update };
    let view = state
        .db
        .run(move |conn| {
            audited(conn, &staff, Target::new(action, ResourceKind::Couple, Some(&id)), |conn| {
                let (current, was_assigned) = match couples::find_visible(conn, &staff, &id)? {
                    Some(row) => (row, true),
                    None if only_assign => {
                        (couples::find_assignable(conn, &staff, &id)?.ok_or(AppError::NotFound)?, false)
                    }
                    None => return Err(AppError::NotFound),
                };
                if_match.check(current.version)?;
                if let Some(ids) = &patch.counselor_ids {
                    let typed: Option<Vec<UserId>> = ids.iter().map(|id| id.parse().ok()).collect();
                    if !typed.map_or(Ok(false), |ids| all_staff_of_practice(conn, &staff.practice_id, &ids))? {
                        return Err(AppError::field("counselor_ids", "must be active staff of the practice"));
                    }
                }
                let version = current.version;
                if !patch.is_empty() && !couples::update(conn, &id, version, &patch.apply(current))? {
                    return Err(AppError::PreconditionFailed);
                }
                let mut still_assigned = was_assigned;
                if let Some(ids) = &patch.counselor_ids {
                    couples::set_counselors(conn, &staff.practice_id, &id, ids)?;
                    still_assigned = was_assigned && ids.iter().any(|id| staff.user_id == *id);
                    if action != Action::Assign {
                        record(
                            conn,
                            &staff.audit_context(),
                            Action::Assign,
                            ResourceKind::Couple,
                            Some(&id),
                            Outcome::Success,
                        )?;
                    }
                }
                // Read back through the same scope that let the change in.
                let row = match patch.counselor_ids {
                    Some(_) => couples::find_assignable(conn, &staff, &id)?,
                    None => couples::find_visible(conn, &staff, &id)?,
                };
                let mut view = couple_view(conn, row.ok_or(AppError::NotFound)?)?;
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
