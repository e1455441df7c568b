use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use validator::Validate;

use crate::audit::{self, Action};
use crate::auth::access::couple_visible;
use crate::auth::Staff;
use crate::domain::ids::CoupleId;
use crate::domain::letters::StaffLetterStatus;
use crate::domain::ResourceKind;
use crate::extract::ValidQuery;
use crate::pagination::PageRequest;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::boundaries::ts_key;
use crate::store::letters;
use crate::views::letters::{StaffLetter, StaffLetterList};

#[derive(Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LettersQuery {
    /// Only letters in this status (never `draft`: staff never see drafts).
    pub status: Option<StaffLetterStatus>,
    /// 1 to 100, default 25.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// A couple's letters, newest first: every letter except drafts that were never submitted,
/// each with its revisions; `?status=` keeps one status.
#[utoipa::path(get, path = "/api/v1/couples/{id}/letters", tag = "letters",
    params(("id" = CoupleId, Path), LettersQuery), responses((status = 200, body = StaffLetterList)))]
pub async fn list(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<CoupleId>,
    query: ValidQuery<LettersQuery>,
) -> AppResult<HttpResponse> {
    let couple_id = path.into_inner();
    let q = query.into_inner();
    let page = PageRequest::parse("letters", 2, q.limit, q.cursor.as_deref())?;
    let status = q.status.map(StaffLetterStatus::letter_status);
    let list = audit::read(
        &state.db,
        staff.0,
        Action::List,
        ResourceKind::Letter,
        Some(couple_id.to_string()),
        move |conn, staff| {
            if !couple_visible(conn, staff, &couple_id)? {
                return Err(AppError::NotFound);
            }
            let rows = letters::list_for_staff(conn, staff, &couple_id, status, &page)?;
            let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
            let revisions = letters::revisions(conn, &ids)?;
            let names = super::author_names(conn, &staff.practice_id, &rows)?;
            let page = page.finish(
                rows,
                |r| vec![ts_key(r.created_at), r.id.clone()],
                |r| StaffLetter::new(r, &revisions, &names),
            );
            Ok(StaffLetterList { items: page.items, next_cursor: page.next_cursor })
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(list))
}
