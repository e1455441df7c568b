use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{partners_only, responsible_shape};
use crate::audit::{audited, Action, Target};
use crate::auth::Staff;
use crate::domain::date;
use crate::domain::patch::nullable;
use crate::domain::text;
use crate::domain::trust::BoundaryStatus;
use crate::domain::ResourceKind;
use crate::http::{ok_versioned, IfMatch};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::boundaries::{self, Changes};
use crate::store::couples;
use crate::views::trust::BoundaryView;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateBoundaryRequest {
    /// 1 to 200 characters.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub title: Option<String>,
    /// Up to 5000 characters; null clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable, value_type = Option<String>, max_length = 5000)]
    pub description: Option<Option<String>>,
    /// At least one partner of the couple.
    #[schema(value_type = Option<std::collections::BTreeSet<uuid::Uuid>>, min_items = 1)]
    pub responsible_ids: Option<Vec<String>>,
    /// `YYYY-MM-DD`; null clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable, value_type = Option<String>, format = Date, pattern = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub review_on: Option<Option<String>>,
    /// A counselor may set any status; `retired` is final (a retired boundary cannot change: 409).
    pub status: Option<BoundaryStatus>,
}

/// Change a boundary's wording, who keeps it, its review date or its status.
#[utoipa::path(patch, operation_id = "update_boundary", path = "/api/v1/boundaries/{id}", tag = "boundaries", params(("id" = Uuid, Path)),
    request_body = UpdateBoundaryRequest, responses((status = 200, body = BoundaryView)))]
pub async fn update(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<Uuid>,
    if_match: IfMatch,
    body: web::Json<UpdateBoundaryRequest>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().to_string();
    let req = body.into_inner();
    text::collect([
        req.title.as_deref().map_or(Ok(()), |t| text::required("title", t, 200)),
        text::optional("description", req.description.as_ref().and_then(|d| d.as_deref()), 5000),
        req.responsible_ids.as_deref().map_or(Ok(()), responsible_shape),
        date::optional("review_on", req.review_on.as_ref().and_then(|d| d.as_deref())),
    ])?;
    let view = state
        .db
        .run(move |conn| {
            audited(conn, &staff, Target::new(Action::Update, ResourceKind::Boundary, Some(&id)), |conn| {
                let current = boundaries::find_visible(conn, &staff, &id)?.ok_or(AppError::NotFound)?;
                if_match.check(current.version)?;
                if current.status == BoundaryStatus::Retired.as_str() {
                    return Err(AppError::Conflict("A retired boundary cannot change.".into()));
                }
                if let Some(ids) = &req.responsible_ids {
                    let partners = couples::partners_of(conn, &current.couple_id)?;
                    partners_only("responsible_ids", ids, &partners)?;
                }
                let changes = Changes {
                    responsible_ids: req.responsible_ids.unwrap_or_else(|| current.responsible()),
                    title: req.title.unwrap_or(current.title),
                    description: req.description.unwrap_or(current.description),
                    status: req.status.map_or(current.status, |s| s.as_str().to_string()),
                    review_on: req.review_on.unwrap_or(current.review_on),
                };
                if !boundaries::update(conn, &id, current.version, &changes)? {
                    return Err(AppError::PreconditionFailed);
                }
                let row = boundaries::find_visible(conn, &staff, &id)?.ok_or(AppError::NotFound)?;
                let acks = boundaries::acknowledgements(conn, std::slice::from_ref(&id))?;
                Ok(BoundaryView::new(row, &acks))
            })
        })
        .await?;
    let version = view.version;
    Ok(ok_versioned(&view, version))
}
