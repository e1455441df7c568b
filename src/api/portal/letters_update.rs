use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::letters_submit::author_move;
use crate::audit::Action;
use crate::auth::PortalClient;
use crate::domain::letters::{BODY_MAX, TITLE_MAX};
use crate::domain::patch::{not_null, nullable};
use crate::domain::text;
use crate::http::{ok_versioned, IfMatch};
use crate::problem::AppResult;
use crate::state::AppState;
use crate::store::letters;
use crate::views::letters::AuthorLetter;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateLetterRequest {
    /// 1 to 200 characters (never null).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 200, pattern = r"\S")]
    pub title: Option<Option<String>>,
    /// 1 to 50000 characters (never null).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 50000, pattern = r"\S")]
    pub body: Option<Option<String>>,
}

/// Edit the caller's letter while it is a `draft` or `returned`; otherwise 409.
#[utoipa::path(patch, path = "/api/v1/portal/letters/{id}", tag = "portal", params(("id" = Uuid, Path)),
    request_body = UpdateLetterRequest, responses((status = 200, body = AuthorLetter)))]
pub async fn update(
    state: web::Data<AppState>,
    client: PortalClient,
    path: web::Path<Uuid>,
    if_match: IfMatch,
    body: web::Json<UpdateLetterRequest>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().to_string();
    let req = body.into_inner();
    let title = not_null("title", req.title);
    let body = not_null("body", req.body);
    text::collect([
        title
            .as_ref()
            .map_err(Clone::clone)
            .and_then(|t| t.as_deref().map_or(Ok(()), |t| text::required("title", t, TITLE_MAX))),
        body.as_ref()
            .map_err(Clone::clone)
            .and_then(|b| b.as_deref().map_or(Ok(()), |b| text::required("body", b, BODY_MAX))),
    ])?;
    let (title, body) = (title.unwrap_or_default(), body.unwrap_or_default());
    let view = author_move(&state, client, id, if_match, Action::Update, "edited", move |conn, current| {
        let title = title.as_deref().unwrap_or(&current.title);
        let body = body.as_deref().unwrap_or(&current.body);
        letters::update_text(conn, &current.id, current.version, title, body)
    })
    .await?;
    let version = view.version;
    Ok(ok_versioned(&view, version))
}
