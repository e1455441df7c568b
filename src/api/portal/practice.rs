use actix_web::{web, HttpResponse};

use crate::audit::{self, Action};
use crate::auth::PortalClient;
use crate::domain::ResourceKind;
use crate::problem::AppResult;
use crate::state::AppState;
use crate::store::{portal, practices};
use crate::views::portal::{PortalCounselor, PortalPractice};

/// The caller's practice: its name, its time zone (every time in the portal is read in it) and
/// the caller's counselors by name.
#[utoipa::path(get, operation_id = "read_portal_practice", path = "/api/v1/portal/practice", tag = "portal",
    responses((status = 200, body = PortalPractice)))]
pub async fn read(state: web::Data<AppState>, client: PortalClient) -> AppResult<HttpResponse> {
    let practice_id = client.practice_id.to_string();
    let view = audit::read(
        &state.db,
        client.0,
        Action::Read,
        ResourceKind::Practice,
        Some(practice_id),
        move |conn, client| {
            let practice = practices::own(conn, &client.practice_id)?;
            let counselors = portal::my_counselors(conn, client)?;
            Ok(PortalPractice {
                name: practice.name,
                timezone: practice.timezone,
                counselors: counselors.into_iter().map(|display_name| PortalCounselor { display_name }).collect(),
            })
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(view))
}
