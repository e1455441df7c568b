use actix_web::{web, HttpResponse};

use crate::api::letters::{lost_race, status_conflict};
use crate::audit::{audited, Action, Target};
use crate::auth::PortalClient;
use crate::db::AnyConnection;
use crate::domain::letters::LetterId;
use crate::domain::ResourceKind;
use crate::http::{ok_versioned, IfMatch};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::letters::{self, AuthorLetterRow};
use crate::views::letters::AuthorLetter;

/// One move of the author on their own letter, audited as `action`: find it (the author's
/// scope), check that its status allows the move (`allowed`, else 409 naming `verb`), check
/// If-Match, then `write`, a version-checked UPDATE (false: a concurrent move won, 409).
pub(crate) async fn author_move(
    state: &web::Data<AppState>,
    client: PortalClient,
    id: LetterId,
    if_match: IfMatch,
    action: Action,
    verb: &'static str,
    write: impl FnOnce(&mut AnyConnection, &AuthorLetterRow) -> diesel::QueryResult<bool> + Send + 'static,
) -> AppResult<AuthorLetter> {
    state
        .db
        .run(move |conn| {
            audited(conn, &client, Target::new(action, ResourceKind::Letter, Some(id.as_str())), |conn| {
                let current = letters::find_written(conn, &client, &id)?.ok_or(AppError::NotFound)?;
                let status = current.status;
                let allowed = if action == Action::Withdraw { status.withdrawable() } else { status.editable() };
                if !allowed {
                    return Err(status_conflict(status, verb));
                }
                if_match.check(current.version)?;
                if !write(conn, &current)? {
                    return Err(lost_race());
                }
                letters::find_written(conn, &client, &id)?.map(AuthorLetter::from).ok_or(AppError::NotFound)
            })
        })
        .await
}

/// Submit the caller's letter to the counselor (`draft`/`returned` -> `submitted`). The text at
/// this moment is kept as the next revision; the other partner still sees nothing.
#[utoipa::path(post, path = "/api/v1/portal/letters/{id}/submit", tag = "portal", params(("id" = LetterId, Path)),
    responses((status = 200, body = AuthorLetter)))]
pub async fn submit(
    state: web::Data<AppState>,
    client: PortalClient,
    path: web::Path<LetterId>,
    if_match: IfMatch,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let view = author_move(&state, client, id, if_match, Action::Submit, "submitted", |conn, current| {
        letters::submit(conn, &current.id, current.version)
    })
    .await?;
    let version = view.version;
    Ok(ok_versioned(&view, version))
}
