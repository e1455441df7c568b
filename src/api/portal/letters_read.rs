use actix_web::{web, HttpResponse};

use crate::audit::{self, Action};
use crate::auth::PortalClient;
use crate::domain::letters::LetterId;
use crate::domain::ResourceKind;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::letters;
use crate::views::letters::{AuthorLetter, PortalLetter, ReceivedLetter};

/// One letter: the author's own (everything but revisions), or one released to the caller
/// (`{id, couple_id, kind, title, body, author_id, released_at}`). Anything else is 404,
/// including the other partner's letter before it is released.
#[utoipa::path(get, path = "/api/v1/portal/letters/{id}", tag = "portal", params(("id" = LetterId, Path)),
    responses((status = 200, body = PortalLetter)))]
pub async fn read(
    state: web::Data<AppState>,
    client: PortalClient,
    path: web::Path<LetterId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let view = audit::read(
        &state.db,
        client.0,
        Action::Read,
        ResourceKind::Letter,
        Some(id.to_string()),
        move |conn, client| {
            if let Some(row) = letters::find_written(conn, client, &id)? {
                return Ok(PortalLetter::Written(AuthorLetter::from(row)));
            }
            let row = letters::find_received(conn, client, &id)?.ok_or(AppError::NotFound)?;
            Ok(PortalLetter::Received(ReceivedLetter::from(row)))
        },
    )
    .await?;
    let mut resp = HttpResponse::Ok();
    if let PortalLetter::Written(l) = &view {
        resp.insert_header((actix_web::http::header::ETAG, crate::http::etag(l.version)));
    }
    Ok(resp.json(view))
}
