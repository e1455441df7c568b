use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{audited_under, partners_only, responsible_shape};
use crate::audit::{Action, Target};
use crate::auth::access::couple_visible;
use crate::auth::Staff;
use crate::db::new_id;
use crate::domain::ResourceKind;
use crate::domain::{date, text};
use crate::http::{created, API};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::boundaries::{self, NewBoundary};
use crate::store::couples;
use crate::views::trust::BoundaryView;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateBoundaryRequest {
    /// 1 to 200 characters.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub title: String,
    /// Up to 5000 characters.
    #[schema(max_length = 5000)]
    pub description: Option<String>,
    /// The partner who asked for it.
    #[schema(format = Uuid)]
    pub requested_by: Option<String>,
    /// Partners who keep it: at least one, each a partner of the couple.
    #[schema(value_type = std::collections::BTreeSet<uuid::Uuid>, min_items = 1)]
    pub responsible_ids: Vec<String>,
    /// When to review it, `YYYY-MM-DD`.
    #[schema(format = Date, pattern = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub review_on: Option<String>,
}

/// Propose a boundary for a couple. It starts as `proposed` and becomes `active` when every
/// partner has acknowledged it in the portal, or when a counselor sets it.
#[utoipa::path(post, operation_id = "create_boundary", path = "/api/v1/couples/{id}/boundaries", tag = "boundaries", params(("id" = Uuid, Path)),
    request_body = CreateBoundaryRequest, responses((status = 201, body = BoundaryView)))]
pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<Uuid>,
    body: web::Json<CreateBoundaryRequest>,
) -> AppResult<HttpResponse> {
    let couple_id = path.into_inner().to_string();
    let req = body.into_inner();
    text::collect([
        text::required("title", &req.title, 200),
        text::optional("description", req.description.as_deref(), 5000),
        responsible_shape(&req.responsible_ids),
        date::optional("review_on", req.review_on.as_deref()),
    ])?;
    let id = new_id();
    let row = state
        .db
        .run(move |conn| {
            let target = Target::new(Action::Create, ResourceKind::Boundary, Some(&id));
            let parent = Target::new(Action::Create, ResourceKind::Couple, Some(&couple_id));
            audited_under(conn, &staff, target, parent, |conn| {
                if !couple_visible(conn, &staff, &couple_id)? {
                    return Err(AppError::NotFound);
                }
                let partners = couples::partners_of(conn, &couple_id)?;
                if let Some(r) = &req.requested_by {
                    partners_only("requested_by", std::slice::from_ref(r), &partners)?;
                }
                partners_only("responsible_ids", &req.responsible_ids, &partners)?;
                let new = NewBoundary {
                    id: id.clone(),
                    couple_id: couple_id.clone(),
                    title: req.title,
                    description: req.description,
                    requested_by: req.requested_by,
                    responsible_ids: req.responsible_ids,
                    review_on: req.review_on,
                };
                boundaries::create(conn, &staff.practice_id, &new)?;
                boundaries::find_visible(conn, &staff, &id)?.ok_or(AppError::NotFound)
            })
        })
        .await?;
    let (location, version) = (format!("{API}/boundaries/{}", row.id), row.version);
    Ok(created(&BoundaryView::new(row, &[]), location, Some(version)))
}
