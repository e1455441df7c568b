use actix_web::{web, HttpResponse};

use crate::api::boundaries::list::PageQuery;
use crate::audit::{self, Action};
use crate::auth::PortalClient;
use crate::domain::activities::ActivityId;
use crate::domain::ResourceKind;
use crate::pagination::PageRequest;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::activities;
use crate::views::activities::{PartnerLog, PortalLog, PortalLogItem, PortalLogList};

/// The caller's own logs of an activity and, on an activity for both, the other partner's:
/// `{done_on, completed}` always, `reflection` only where they shared it. Newest day first.
#[utoipa::path(get, path = "/api/v1/portal/activities/{id}/logs", tag = "portal", params(("id" = ActivityId, Path), PageQuery),
    responses((status = 200, body = PortalLogList)))]
pub async fn list(
    state: web::Data<AppState>,
    client: PortalClient,
    path: web::Path<ActivityId>,
    query: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let activity_id = path.into_inner();
    let q = query.into_inner();
    let page = PageRequest::parse("portal-activity-logs", 2, q.limit, q.cursor.as_deref())?;
    let list = audit::read(
        &state.db,
        client.0,
        Action::List,
        ResourceKind::ActivityLog,
        Some(activity_id.to_string()),
        move |conn, client| {
            let me = client.client_id.clone().ok_or(AppError::NotFound)?;
            activities::find_for_client(conn, client, &activity_id)?.ok_or(AppError::NotFound)?;
            // Two scoped queries, one per tier, merged on (done_on, id) desc.
            let mine = activities::list_logs(conn, &activity_id, Some(&me), &page)?;
            let partner = activities::list_partner_logs(conn, client, &activity_id, &page)?;
            let mut rows: Vec<(String, String, PortalLogItem)> = mine
                .into_iter()
                .map(|r| (r.done_on.clone(), r.id.clone(), PortalLogItem::Mine(PortalLog::from(r))))
                .chain(
                    partner
                        .into_iter()
                        .map(|r| (r.done_on.clone(), r.id.clone(), PortalLogItem::Partner(PartnerLog::from(r)))),
                )
                .collect();
            rows.sort_by(|a, b| (&b.0, &b.1).cmp(&(&a.0, &a.1)));
            let page = page.finish(rows, |r| vec![r.0.clone(), r.1.clone()], |r| r.2);
            Ok(PortalLogList { items: page.items, next_cursor: page.next_cursor })
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(list))
}
