use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::{audited_under, client_id, client_ids, partner_rule, partners_only, responsible_rule};
use crate::audit::{Action, Target};
use crate::auth::access::couple_visible;
use crate::auth::Staff;
use crate::db::now;
use crate::domain::ids::{BoundaryId, ClientId, CoupleId, PracticeId};
use crate::domain::trust::BoundaryStatus;
use crate::domain::value::parsed;
use crate::domain::value_trust::{BoundaryDescription, CalendarDate, Title};
use crate::domain::ResourceKind;
use crate::extract::ValidJson;
use crate::http::{created, API};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::boundaries::{self, ClientIds, NewBoundary};
use crate::store::couples;
use crate::views::trust::BoundaryView;

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateBoundaryRequest {
    #[validate(custom(function = "Title::check"))]
    #[schema(value_type = Title)]
    pub title: String,
    #[validate(custom(function = "BoundaryDescription::check"))]
    #[schema(value_type = Option<BoundaryDescription>)]
    pub description: Option<String>,
    /// The partner who asked for it.
    #[validate(custom(function = "partner_rule"))]
    #[schema(value_type = Option<ClientId>)]
    pub requested_by: Option<String>,
    /// Partners who keep it: at least one, each a partner of the couple.
    #[validate(custom(function = "responsible_rule"))]
    #[schema(value_type = std::collections::BTreeSet<ClientId>, min_items = 1)]
    pub responsible_ids: Vec<String>,
    /// When to review it.
    #[validate(custom(function = "CalendarDate::check"))]
    #[schema(value_type = Option<CalendarDate>)]
    pub review_on: Option<String>,
}

/// The checked request as the store takes it.
struct Checked {
    title: Title,
    description: Option<BoundaryDescription>,
    requested_by: Option<ClientId>,
    responsible_ids: Vec<ClientId>,
    review_on: Option<CalendarDate>,
}

impl TryFrom<CreateBoundaryRequest> for Checked {
    type Error = AppError;
    fn try_from(r: CreateBoundaryRequest) -> AppResult<Checked> {
        Ok(Checked {
            title: parsed("title", Title::parse(r.title))?,
            description: r.description.map(|v| parsed("description", BoundaryDescription::parse(v))).transpose()?,
            requested_by: r.requested_by.map(|v| client_id("requested_by", &v)).transpose()?,
            responsible_ids: client_ids("responsible_ids", r.responsible_ids)?,
            review_on: r.review_on.map(|v| parsed("review_on", CalendarDate::parse(&v))).transpose()?,
        })
    }
}

impl Checked {
    fn into_row(self, id: BoundaryId, practice_id: PracticeId, couple_id: CoupleId) -> NewBoundary {
        let at = now();
        NewBoundary {
            id,
            practice_id,
            couple_id,
            title: self.title,
            description: self.description,
            requested_by: self.requested_by,
            responsible_ids: ClientIds::new(self.responsible_ids),
            status: BoundaryStatus::Proposed,
            review_on: self.review_on,
            version: 1,
            created_at: at,
            updated_at: at,
        }
    }
}

/// Propose a boundary for a couple. It starts as `proposed` and becomes `active` when every
/// partner has acknowledged it in the portal, or when a counselor sets it.
#[utoipa::path(post, operation_id = "create_boundary", path = "/api/v1/couples/{id}/boundaries", tag = "boundaries", params(("id" = CoupleId, Path)),
    request_body = CreateBoundaryRequest, responses((status = 201, body = BoundaryView)))]
pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<CoupleId>,
    body: ValidJson<CreateBoundaryRequest>,
) -> AppResult<HttpResponse> {
    let couple_id = path.into_inner();
    let id = BoundaryId::new();
    let new = Checked::try_from(body.into_inner())?.into_row(id.clone(), staff.practice_id.clone(), couple_id.clone());
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
                if let Some(r) = &new.requested_by {
                    partners_only("requested_by", std::slice::from_ref(r), &partners)?;
                }
                partners_only("responsible_ids", new.responsible_ids.ids(), &partners)?;
                boundaries::create(conn, &new)?;
                Ok(boundaries::find_visible(conn, &staff, &id)?)
            })
        })
        .await?;
    let (location, version) = (format!("{API}/boundaries/{}", row.id), row.version);
    Ok(created(&BoundaryView::new(row, &[]), location, Some(version)))
}
