//! `GET /clients/{id}/access-report` (admin): who has seen a client's record.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;
use validator::Validate;

use crate::audit::{self, Action};
use crate::auth::Admin;
use crate::domain::ids::ClientId;
use crate::domain::ResourceKind;
use crate::extract::ValidQuery;
use crate::pagination::PageRequest;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::audit_subjects::{self, ReportQuery, ReportRow};
use crate::store::boundaries::{parse_ts_key, ts_key};
use crate::views::access_report::{AccessReport, AccessReportItem};

#[derive(Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// Events at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Events before this instant.
    pub to: Option<DateTime<Utc>>,
    /// 1 to 100, default 25.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The page and window of a report, from its query.
pub fn report_query(params: &ReportParams) -> AppResult<(PageRequest, ReportQuery)> {
    let page = PageRequest::parse("access-report", 2, params.limit, params.cursor.as_deref())?;
    let before = match &page.after {
        Some(key) => Some((parse_ts_key(&key[0])?, key[1].clone())),
        None => None,
    };
    let q = ReportQuery {
        from: params.from.map(|t| t.naive_utc()),
        to: params.to.map(|t| t.naive_utc()),
        before,
        limit: page.fetch(),
    };
    Ok((page, q))
}

/// The cursor key of a report line.
pub fn key(r: &ReportRow) -> Vec<String> {
    vec![ts_key(r.at), r.event_id.clone()]
}

/// Every audit event whose subjects include the client (reads, writes and denied attempts on
/// the client's record, their couples' and sessions' records...), newest first, with the
/// actor's name. Events appear once sealed, within about a second of being written.
#[utoipa::path(get, operation_id = "client_access_report", path = "/api/v1/clients/{id}/access-report", tag = "audit",
    params(("id" = ClientId, Path), ReportParams), responses((status = 200, body = AccessReport)))]
pub async fn client(
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<ClientId>,
    query: Result<ValidQuery<ReportParams>, actix_web::Error>,
) -> actix_web::Result<HttpResponse> {
    let client_id = path.into_inner().to_string();
    let id = client_id.clone();
    // A client the caller may not see is a denial, whatever else is wrong with the request:
    // visibility first, then the query's own error (unaudited: nothing was read).
    let (params, bad_query) = match query {
        Ok(q) => (Some(q.into_inner()), None),
        Err(e) => (None, Some(e)),
    };
    let result = audit::read(&state.db, admin.0, Action::List, ResourceKind::Client, Some(id), move |conn, admin| {
        if !crate::auth::access::client_visible(conn, admin, &client_id)? {
            return Err(AppError::NotFound);
        }
        let Some(params) = &params else { return Err(AppError::BadRequest(String::new())) };
        let (page, q) = report_query(params)?;
        let rows = audit_subjects::access_report(conn, admin.practice_id.as_str(), &client_id, &q)?;
        let page = page.finish(rows, key, AccessReportItem::from);
        Ok(AccessReport { items: page.items, next_cursor: page.next_cursor })
    })
    .await;
    match (result, bad_query) {
        (Err(AppError::BadRequest(_)), Some(e)) => Err(e),
        (result, _) => Ok(HttpResponse::Ok().json(result?)),
    }
}
