use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::audit::{self, Action};
use crate::auth::PortalClient;
use crate::domain::ResourceKind;
use crate::pagination::PageRequest;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::boundaries::ts_key;
use crate::store::letters;
use crate::views::letters::{AuthorLetter, PortalLetterItem, PortalLetterList, ReceivedLetter};

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PortalLetterQuery {
    /// Only this couple's letters (one of the caller's couples).
    pub couple_id: Option<crate::domain::ids::CoupleId>,
    /// 1 to 100, default 25.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Letters the caller wrote (every status) and letters released to the caller, newest first;
/// each item says its `direction`.
#[utoipa::path(get, path = "/api/v1/portal/letters", tag = "portal", params(PortalLetterQuery),
    responses((status = 200, body = PortalLetterList)))]
pub async fn list(
    state: web::Data<AppState>,
    client: PortalClient,
    query: web::Query<PortalLetterQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let page = PageRequest::parse("portal-letters", 2, q.limit, q.cursor.as_deref())?;
    let couple_id = q.couple_id;
    let resource = couple_id.as_deref().or(client.client_id.as_deref()).map(String::from);
    let list = audit::read(&state.db, client.0, Action::List, ResourceKind::Letter, resource, move |conn, client| {
        if let Some(c) = &couple_id {
            if !letters::my_couple(conn, client, c)? {
                return Err(AppError::NotFound);
            }
        }
        // Two scoped queries, one per tier, merged on the shared order (created_at, id) desc.
        let written = letters::list_written(conn, client, couple_id.as_deref(), &page)?;
        let received = letters::list_received(conn, client, couple_id.as_deref(), &page)?;
        let mut rows: Vec<(chrono::NaiveDateTime, String, PortalLetterItem)> = written
            .into_iter()
            .map(|r| (r.created_at, r.id.clone(), PortalLetterItem::Written(AuthorLetter::from(r))))
            .chain(
                received
                    .into_iter()
                    .map(|r| (r.created_at, r.id.clone(), PortalLetterItem::Received(ReceivedLetter::from(r).into()))),
            )
            .collect();
        rows.sort_by(|a, b| (b.0, &b.1).cmp(&(a.0, &a.1)));
        let page = page.finish(rows, |r| vec![ts_key(r.0), r.1.clone()], |r| r.2);
        Ok(PortalLetterList { items: page.items, next_cursor: page.next_cursor })
    })
    .await?;
    Ok(HttpResponse::Ok().json(list))
}
