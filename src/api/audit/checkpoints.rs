//! `GET /audit-checkpoints` (admin): the signed checkpoints of the audit trail.

use actix_web::{web, HttpResponse};

use crate::api::boundaries::list::PageQuery;
use crate::auth::Admin;
use crate::extract::ValidQuery;
use crate::pagination::PageRequest;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::audit_chain;
use crate::views::access_report::{CheckpointList, CheckpointView};

/// The audit trail's signed checkpoints, newest first: C2SP signed notes over the chain's size
/// and hash. They hold no practice's data (the chain is one for the whole deployment); keep
/// copies outside Mend (the `audit.checkpoint` webhook event delivers each one) and check the
/// trail against one with `mend audit verify --checkpoint FILE`.
#[utoipa::path(get, operation_id = "list_audit_checkpoints", path = "/api/v1/audit-checkpoints", tag = "audit",
    params(PageQuery), responses((status = 200, body = CheckpointList)))]
pub async fn list(state: web::Data<AppState>, admin: Admin, query: ValidQuery<PageQuery>) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let page = PageRequest::parse("audit-checkpoints", 1, q.limit, q.cursor.as_deref())?;
    let before = match &page.after {
        Some(key) => Some(
            key[0]
                .parse::<i64>()
                .map_err(|_| AppError::BadRequest("The cursor is not one this listing gave out.".into()))?,
        ),
        None => None,
    };
    let list = state
        .db
        .run_as(admin.live(), move |conn| {
            let rows = audit_chain::checkpoints_page(conn, before, page.fetch())?;
            let page = page.finish(rows, |r| vec![r.size.to_string()], CheckpointView::from);
            Ok(CheckpointList { items: page.items, next_cursor: page.next_cursor })
        })
        .await?;
    Ok(HttpResponse::Ok().json(list))
}
