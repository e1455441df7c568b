//! `GET /worklist`: what needs the caller now, from the couples and clients they are assigned
//! to (admins too: only their own assignments). One statement (`store::worklist`) and the
//! list's audit event.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use validator::Validate;

use crate::audit::{self, Action};
use crate::auth::Staff;
use crate::domain::worklist::WorkKind;
use crate::domain::ResourceKind;
use crate::extract::ValidQuery;
use crate::pagination::PageRequest;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::boundaries::parse_ts_key;
use crate::store::worklist::{self, WorkQuery};
use crate::views::worklist::{WorkItem, WorkList};

#[derive(Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct WorklistQuery {
    /// Only items of this kind.
    pub kind: Option<WorkKind>,
    /// 1 to 100, default 25.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The caller's worklist, oldest `since` first (then by kind): each item disappears when its
/// cause is gone. Staff only.
#[utoipa::path(get, path = "/api/v1/worklist", tag = "worklist", params(WorklistQuery),
    responses((status = 200, body = WorkList)))]
pub async fn list(
    state: web::Data<AppState>,
    staff: Staff,
    query: ValidQuery<WorklistQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let page = PageRequest::parse("worklist", 3, q.limit, q.cursor.as_deref())?;
    let after = match &page.after {
        Some(key) => match key.as_slice() {
            [since, kind, item] => Some((parse_ts_key(since)?, kind.clone(), item.clone())),
            _ => return Err(AppError::BadRequest("The cursor is not one this listing gave out.".into())),
        },
        None => None,
    };
    let kind = q.kind;
    let page = audit::read(&state.db, staff.0, Action::List, ResourceKind::Worklist, None, move |conn, staff| {
        let wq = WorkQuery {
            user_id: staff.user_id.clone(),
            practice_id: staff.practice_id.clone(),
            kind,
            now: chrono::Utc::now(),
            after,
            fetch: page.fetch(),
        };
        let rows = worklist::page(conn, &wq)?;
        Ok(page.finish(rows, worklist::key, WorkItem::from))
    })
    .await?;
    Ok(HttpResponse::Ok().json(WorkList { items: page.items, next_cursor: page.next_cursor }))
}
