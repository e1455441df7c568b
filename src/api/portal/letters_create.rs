use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::audit::{audited_under, Action, Target};
use crate::auth::PortalClient;
use crate::db::new_id;
use crate::domain::letters::{LetterKind, BODY_MAX, TITLE_MAX};
use crate::domain::text;
use crate::domain::ResourceKind;
use crate::http::{created, API};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::letters::{self, NewLetter};
use crate::views::letters::AuthorLetter;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateLetterRequest {
    /// One of the caller's couples.
    #[schema(format = Uuid)]
    pub couple_id: uuid::Uuid,
    pub kind: LetterKind,
    /// 1 to 200 characters.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub title: String,
    /// 1 to 50000 characters.
    #[schema(min_length = 1, max_length = 50000, pattern = r"\S")]
    pub body: String,
}

/// Start a letter to the other partner. It is a `draft`, the caller's alone: not even the
/// counselor sees it until it is submitted.
#[utoipa::path(post, path = "/api/v1/portal/letters", tag = "portal",
    request_body = CreateLetterRequest, responses((status = 201, body = AuthorLetter)))]
pub async fn create(
    state: web::Data<AppState>,
    client: PortalClient,
    body: web::Json<CreateLetterRequest>,
) -> AppResult<HttpResponse> {
    let req = body.into_inner();
    text::collect([text::required("title", &req.title, TITLE_MAX), text::required("body", &req.body, BODY_MAX)])?;
    let id = new_id();
    let couple_id = req.couple_id.to_string();
    let row = state
        .db
        .run(move |conn| {
            let target = Target::new(Action::Create, ResourceKind::Letter, Some(&id));
            let parent = Target::new(Action::Create, ResourceKind::Couple, Some(&couple_id));
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
                        title: &req.title,
                        body: &req.body,
                    },
                )?;
                letters::find_written(conn, &client, &id)?.ok_or(AppError::NotFound)
            })
        })
        .await?;
    let (location, version) = (format!("{API}/portal/letters/{}", row.id), row.version);
    Ok(created(&AuthorLetter::from(row), location, Some(version)))
}
