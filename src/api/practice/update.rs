use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use crate::audit::{audited, Action, Target};
use crate::auth::Admin;
use crate::db::now;
use crate::domain::value::parsed;
use crate::domain::value_trust::{time_zone_check, PracticeName};
use crate::domain::ResourceKind;
use crate::extract::ValidJson;
use crate::http::{ok_versioned, IfMatch};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::auth::revoke_user_except;
use crate::store::mfa;
use crate::store::practices::{self, PracticeChanges};
use crate::views::identity::PracticeView;

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePracticeRequest {
    #[validate(custom(function = "PracticeName::check"))]
    #[schema(value_type = Option<PracticeName>)]
    pub name: Option<String>,
    /// An IANA time zone, such as `Europe/Berlin`.
    #[validate(custom(function = "time_zone_check"))]
    pub timezone: Option<String>,
    /// Staff must turn on two-factor sign-in: until they do, they get 403
    /// `mfa-enrollment-required` everywhere but `/me`, `/me/mfa*` and `/auth/*`. Turning it on
    /// ends the logins of staff who have no MFA yet (the caller's own login excepted).
    pub require_staff_mfa: Option<bool>,
}

/// The time-zone rule for the command line (`mend init --timezone`).
pub fn check_timezone(field: &str, tz: &str) -> Result<(), crate::problem::FieldError> {
    time_zone_check(tz).map_err(|e| {
        crate::problem::FieldError::new(field, e.message.as_deref().unwrap_or("must be an IANA time zone").to_string())
    })
}

/// Rename the practice, change its time zone, or require two-factor sign-in of staff.
#[utoipa::path(patch, path = "/api/v1/practice", tag = "practice", request_body = UpdatePracticeRequest,
    responses((status = 200, body = PracticeView)))]
pub async fn update(
    state: web::Data<AppState>,
    admin: Admin,
    if_match: IfMatch,
    body: ValidJson<UpdatePracticeRequest>,
) -> AppResult<HttpResponse> {
    let req = body.into_inner();
    let name = req.name.map(|v| parsed("name", PracticeName::parse(v))).transpose()?;
    let timezone = req.timezone;
    let require_staff_mfa = req.require_staff_mfa;
    let row = state
        .db
        .run(move |conn| {
            let pid = admin.practice_id.clone();
            audited(conn, &admin, Target::new(Action::Update, ResourceKind::Practice, Some(&pid)), |conn| {
                let current = practices::own(conn, &pid)?;
                if_match.check(current.version)?;
                let changes = PracticeChanges {
                    name,
                    timezone,
                    require_staff_mfa,
                    version: current.version + 1,
                    updated_at: now(),
                };
                if !practices::update(conn, &pid, current.version, &changes)? {
                    return Err(AppError::PreconditionFailed);
                }
                if require_staff_mfa == Some(true) && !current.require_staff_mfa {
                    // Their tokens were issued before the rule: they sign in again, and their
                    // new tokens say that enrolment is due.
                    for user in mfa::staff_without_mfa(conn, pid.as_str())? {
                        revoke_user_except(conn, &user, &admin.family_id)?;
                    }
                }
                Ok(practices::own(conn, &pid)?)
            })
        })
        .await?;
    let version = row.version;
    Ok(ok_versioned(&PracticeView::from(row), version))
}
