use actix_web::{web, HttpResponse};

use crate::audit::{self, Action};
use crate::auth::PortalClient;
use crate::domain::ResourceKind;
use crate::problem::AppResult;
use crate::state::AppState;
use crate::store::portal;
use crate::views::portal::{PortalCouple, PortalCoupleList, PortalPartner};

/// The caller's couples, each with the partner's first and preferred name. Empty for a client
/// seen alone.
#[utoipa::path(get, operation_id = "list_portal_couples", path = "/api/v1/portal/couples", tag = "portal",
    responses((status = 200, body = PortalCoupleList)))]
pub async fn list(state: web::Data<AppState>, client: PortalClient) -> AppResult<HttpResponse> {
    let me = client.client_id.as_deref().map(String::from);
    let view = audit::read(&state.db, client.0, Action::List, ResourceKind::Couple, me, move |conn, client| {
        let items = portal::my_couples(conn, client)?
            .into_iter()
            .map(|c| PortalCouple {
                id: c.id,
                status: c.status,
                partner: PortalPartner { id: c.partner_id, first_name: c.first_name, preferred_name: c.preferred_name },
            })
            .collect();
        Ok(PortalCoupleList { items })
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}
