use actix_web::{web, HttpResponse};

use crate::api::boundaries::list::PageQuery;
use crate::audit::{self, Action};
use crate::auth::access::couple_visible;
use crate::auth::access::{clinical_refusal, NEEDS_ASSIGNMENT};
use crate::auth::{Actor, Staff};
use crate::db::AnyConnection;
use crate::domain::date;
use crate::domain::ids::{ClientId, CoupleId};
use crate::domain::ResourceKind;
use crate::pagination::PageRequest;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::boundaries::ts_key;
use crate::store::releases::{self, Party};
use crate::views::releases::{ReleaseList, ReleaseView};

fn page_of(conn: &mut AnyConnection, staff: &Actor, party: Party<'_>, page: &PageRequest) -> AppResult<ReleaseList> {
    let rows = releases::list(conn, releases::visible(staff), Some(party), page)?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let auths = releases::authorizers(conn, &ids)?;
    let today = date::today();
    let page = page.finish(rows, |r| vec![ts_key(r.created_at), r.id.clone()], |r| ReleaseView::new(r, &auths, today));
    Ok(ReleaseList { items: page.items, next_cursor: page.next_cursor })
}

/// A couple's releases, in the order they were made.
#[utoipa::path(get, operation_id = "list_couple_releases", path = "/api/v1/couples/{id}/releases", tag = "releases",
    params(("id" = CoupleId, Path), PageQuery), responses((status = 200, body = ReleaseList)))]
pub async fn couple(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<CoupleId>,
    query: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let couple_id = path.into_inner().to_string();
    let q = query.into_inner();
    let page = PageRequest::parse("couple-releases", 2, q.limit, q.cursor.as_deref())?;
    let list = audit::read(
        &state.db,
        staff.0,
        Action::List,
        ResourceKind::Release,
        Some(couple_id.clone()),
        move |conn, staff| {
            if !couple_visible(conn, staff, &couple_id)? {
                return Err(AppError::NotFound);
            }
            page_of(conn, staff, Party::Couple(&couple_id), &page)
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Releases that need a client's authorization (of their own records, and of their couples'
/// that the caller is assigned to), in the order they were made.
#[utoipa::path(get, operation_id = "list_client_releases", path = "/api/v1/clients/{id}/releases", tag = "releases",
    params(("id" = ClientId, Path), PageQuery), responses((status = 200, body = ReleaseList)))]
pub async fn client(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<ClientId>,
    query: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let client_id = path.into_inner().to_string();
    let q = query.into_inner();
    let page = PageRequest::parse("client-releases", 2, q.limit, q.cursor.as_deref())?;
    let list = audit::read(
        &state.db,
        staff.0,
        Action::List,
        ResourceKind::Release,
        Some(client_id.clone()),
        move |conn, staff| {
            if !releases::client_in_care(conn, staff, &client_id)? {
                return Err(clinical_refusal(conn, staff, &client_id, NEEDS_ASSIGNMENT)?);
            }
            page_of(conn, staff, Party::Client(&client_id), &page)
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(list))
}
