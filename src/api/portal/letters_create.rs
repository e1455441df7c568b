use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use crate::audit::{audited_under, Action, Target};
use crate::auth::PortalClient;
use crate::domain::ids::CoupleId;
use crate::domain::letters::{LetterBody, LetterId, LetterKind, LetterTitle};
use crate::domain::value::parsed;
use crate::domain::ResourceKind;
use crate::extract::ValidJson;
use crate::http::{created, API};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::letters::{self, NewLetter};
use crate::views::letters::AuthorLetter;

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateLetterRequest {
    /// One of the caller's couples.
    pub couple_id: CoupleId,
    pub kind: LetterKind,
    #[validate(custom(function = "LetterTitle::check"))]
    #[schema(value_type = LetterTitle)]
    pub title: String,
    #[validate(custom(function = "LetterBody::check"))]
    #[schema(value_type = LetterBody)]
    pub body: String,
}

/// Start a letter to the other partner. It is a `draft`, the caller's alone: not even the
/// counselor sees it until it is submitted.
#[utoipa::path(post, path = "/api/v1/portal/letters", tag = "portal",
    request_body = CreateLetterRequest, responses((status = 201, body = AuthorLetter)))]
pub async fn create(
    state: web::Data<AppState>,
    client: PortalClient,
    body: ValidJson<CreateLetterRequest>,
) -> AppResult<HttpResponse> {
    let req = body.into_inner();
    let (title, body) = (parsed("title", LetterTitle::parse(req.title))?, parsed("body", LetterBody::parse(req.body))?);
    let id = LetterId::new();
    let couple_id = req.couple_id;
    let row = state
        .db
        .run(move |conn| {
            let target = Target::new(Action::Create, ResourceKind::Letter, Some(id.as_str()));
            let parent = Target::new(Action::Create, ResourceKind::Couple, Some(couple_id.as_str()));
            audited_under(conn, &client, target, parent, |conn| {
                let me = client.client_id.clone().ok_or(AppError::NotFound)?;
                if !letters::my_couple(conn, &client, &couple_id)? {
                    return Err(AppError::NotFound);
                }
                letters::create(
                    conn,
                    &NewLetter {
                        id: &id,
                        practice_id: &client.practice_id,
                        couple_id: &couple_id,
                        author_id: &me,
                        kind: req.kind,
                        title: &title,
                        body: &body,
                    },
                )?;
                letters::find_written(conn, &client, &id)?.ok_or(AppError::NotFound)
            })
        })
        .await?;
    let (location, version) = (format!("{API}/portal/letters/{}", row.id), row.version);
    Ok(created(&AuthorLetter::from(row), location, Some(version)))
}
