use actix_web::{web, HttpResponse};

use super::letters_submit::author_move;
use crate::audit::Action;
use crate::auth::PortalClient;
use crate::domain::letters::LetterId;
use crate::http::{ok_versioned, IfMatch};
use crate::problem::AppResult;
use crate::state::AppState;
use crate::store::letters;
use crate::views::letters::AuthorLetter;

/// Withdraw the caller's letter (any status but `released` -> `withdrawn`, final).
#[utoipa::path(post, path = "/api/v1/portal/letters/{id}/withdraw", tag = "portal", params(("id" = LetterId, Path)),
    responses((status = 200, body = AuthorLetter)))]
pub async fn withdraw(
    state: web::Data<AppState>,
    client: PortalClient,
    path: web::Path<LetterId>,
    if_match: IfMatch,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let view = author_move(&state, client, id, if_match, Action::Withdraw, "withdrawn", |conn, current| {
        letters::withdraw(conn, &current.id, current.version)
    })
    .await?;
    let version = view.version;
    Ok(ok_versioned(&view, version))
}
