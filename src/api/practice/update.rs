use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::audit::{audited, Action, Target};
use crate::auth::Admin;
use crate::domain::text;
use crate::domain::ResourceKind;
use crate::http::{ok_versioned, IfMatch};
use crate::problem::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::store::practices;
use crate::views::identity::PracticeView;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePracticeRequest {
    /// 1 to 200 characters, not blank.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: Option<String>,
    /// An IANA time zone, such as `Europe/Berlin`.
    pub timezone: Option<String>,
}

pub fn check_timezone(field: &str, tz: &str) -> Result<(), FieldError> {
    tz.parse::<chrono_tz::Tz>()
        .map(|_| ())
        .map_err(|_| FieldError::new(field, "must be an IANA time zone such as America/New_York"))
}

/// Rename the practice or change its time zone.
#[utoipa::path(patch, path = "/api/v1/practice", tag = "practice", request_body = UpdatePracticeRequest,
    responses((status = 200, body = PracticeView)))]
pub async fn update(
    state: web::Data<AppState>,
    admin: Admin,
    if_match: IfMatch,
    body: web::Json<UpdatePracticeRequest>,
) -> AppResult<HttpResponse> {
    let req = body.into_inner();
    text::collect([
        req.name.as_deref().map_or(Ok(()), |n| text::required("name", n, 200)),
        req.timezone.as_deref().map_or(Ok(()), |t| check_timezone("timezone", t)),
    ])?;
    let row = state
        .db
        .run(move |conn| {
            let pid = admin.practice_id.clone();
            audited(conn, &admin, Target::new(Action::Update, ResourceKind::Practice, Some(&pid)), |conn| {
                let current = practices::own(conn, &pid)?;
                if_match.check(current.version)?;
                let name = req.name.as_deref().unwrap_or(&current.name);
                let timezone = req.timezone.as_deref().unwrap_or(&current.timezone);
                if !practices::update(conn, &pid, current.version, name, timezone)? {
                    return Err(AppError::PreconditionFailed);
                }
                practices::own(conn, &pid)
            })
        })
        .await?;
    let version = row.version;
    Ok(ok_versioned(&PracticeView::from(row), version))
}
