use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::letters_submit::author_move;
use crate::audit::Action;
use crate::auth::PortalClient;
use crate::domain::letters::{LetterBody, LetterId, LetterTitle};
use crate::domain::patch::nullable;
use crate::domain::value::parsed;
use crate::extract::{field_rule, ValidJson};
use crate::http::{ok_versioned, IfMatch};
use crate::problem::AppResult;
use crate::state::AppState;
use crate::store::letters;
use crate::views::letters::AuthorLetter;

/// Absent fields stay as they are; neither may be null.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "present_fields_are_not_null"))]
pub struct UpdateLetterRequest {
    #[serde(default, deserialize_with = "nullable")]
    #[validate(custom(function = "LetterTitle::check"))]
    #[schema(value_type = LetterTitle)]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(custom(function = "LetterBody::check"))]
    #[schema(value_type = LetterBody)]
    pub body: Option<Option<String>>,
}

/// A title or body may be changed, never cleared.
fn present_fields_are_not_null(r: &UpdateLetterRequest) -> Result<(), validator::ValidationError> {
    match (&r.title, &r.body) {
        (Some(None), _) => Err(field_rule("title", "must not be null")),
        (_, Some(None)) => Err(field_rule("body", "must not be null")),
        _ => Ok(()),
    }
}

/// Edit the caller's letter while it is a `draft` or `returned`; otherwise 409.
#[utoipa::path(patch, path = "/api/v1/portal/letters/{id}", tag = "portal", params(("id" = LetterId, Path)),
    request_body = UpdateLetterRequest, responses((status = 200, body = AuthorLetter)))]
pub async fn update(
    state: web::Data<AppState>,
    client: PortalClient,
    path: web::Path<LetterId>,
    if_match: IfMatch,
    body: ValidJson<UpdateLetterRequest>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let req = body.into_inner();
    let title = req.title.flatten().map(|t| parsed("title", LetterTitle::parse(t))).transpose()?;
    let body = req.body.flatten().map(|b| parsed("body", LetterBody::parse(b))).transpose()?;
    let view = author_move(&state, client, id, if_match, Action::Update, "edited", move |conn, current| {
        letters::update_text(conn, &current.id, current.version, title.as_ref(), body.as_ref())
    })
    .await?;
    let version = view.version;
    Ok(ok_versioned(&view, version))
}
