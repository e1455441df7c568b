//! `GET /portal/access-report` (client): who has seen the caller's own record.

use actix_web::{web, HttpResponse};

use crate::api::audit::access_report::{key, report_query, ReportParams};
use crate::audit::{self, Action};
use crate::auth::PortalClient;
use crate::domain::ResourceKind;
use crate::extract::ValidQuery;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::audit_subjects;
use crate::views::access_report::{PortalAccessReport, PortalAccessReportItem};

/// Every access to the caller's records (their own, their couples', the sessions they attend),
/// newest first: when, by whom (staff by name and role; a partner by role only), what was done
/// to which kind of record, and whether it was allowed. No content, and no other client's name
/// or id. Events appear once sealed, within about a second.
#[utoipa::path(get, operation_id = "portal_access_report", path = "/api/v1/portal/access-report", tag = "portal",
    params(ReportParams), responses((status = 200, body = PortalAccessReport)))]
pub async fn report(
    state: web::Data<AppState>,
    client: PortalClient,
    query: ValidQuery<ReportParams>,
) -> AppResult<HttpResponse> {
    let params = query.into_inner();
    let (page, q) = report_query(&params)?;
    let id = client.client_id.as_deref().map(String::from);
    let report = audit::read(&state.db, client.0, Action::List, ResourceKind::Client, id, move |conn, client| {
        let client_id = client.client_id.as_deref().ok_or(AppError::NotFound)?;
        let rows = audit_subjects::access_report(conn, client.practice_id.as_str(), client_id, &q)?;
        let me = client.user_id.to_string();
        let page = page.finish(rows, key, |r| PortalAccessReportItem::of(r, &me));
        Ok(PortalAccessReport { items: page.items, next_cursor: page.next_cursor })
    })
    .await?;
    Ok(HttpResponse::Ok().json(report))
}
