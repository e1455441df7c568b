use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::{client_ids, partners_only, responsible_rule};
use crate::audit::{audited, Action, Target};
use crate::auth::Staff;
use crate::db::now;
use crate::domain::ids::{BoundaryId, ClientId};
use crate::domain::patch::nullable;
use crate::domain::trust::BoundaryStatus;
use crate::domain::value::parsed;
use crate::domain::value_trust::{BoundaryDescription, CalendarDate, Title};
use crate::domain::webhooks::EventType;
use crate::domain::ResourceKind;
use crate::extract::ValidJson;
use crate::http::{ok_versioned, IfMatch};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::boundaries::{self, BoundaryChanges, ClientIds};
use crate::store::couples;
use crate::views::trust::BoundaryView;
use crate::webhooks::outbox;

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateBoundaryRequest {
    #[validate(custom(function = "Title::check"))]
    #[schema(value_type = Option<Title>)]
    pub title: Option<String>,
    /// Null clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(custom(function = "BoundaryDescription::check"))]
    #[schema(value_type = Option<BoundaryDescription>)]
    pub description: Option<Option<String>>,
    /// At least one partner of the couple.
    #[validate(custom(function = "responsible_rule"))]
    #[schema(value_type = Option<std::collections::BTreeSet<ClientId>>, min_items = 1)]
    pub responsible_ids: Option<Vec<String>>,
    /// Null clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(custom(function = "CalendarDate::check"))]
    #[schema(value_type = Option<CalendarDate>)]
    pub review_on: Option<Option<String>>,
    /// A counselor may set any status; `retired` is final (a retired boundary cannot change: 409).
    pub status: Option<BoundaryStatus>,
}

/// A change to one field: `None` leaves it, `Some(None)` clears it, `Some(Some(v))` sets it.
type Change<T> = Option<Option<T>>;

/// The checked request: each present field as its domain value.
struct Patch {
    title: Option<Title>,
    description: Change<BoundaryDescription>,
    responsible_ids: Option<Vec<ClientId>>,
    review_on: Change<CalendarDate>,
    status: Option<BoundaryStatus>,
}

impl TryFrom<UpdateBoundaryRequest> for Patch {
    type Error = AppError;
    fn try_from(r: UpdateBoundaryRequest) -> AppResult<Patch> {
        Ok(Patch {
            title: r.title.map(|v| parsed("title", Title::parse(v))).transpose()?,
            description: r
                .description
                .map(|v| v.map(|v| parsed("description", BoundaryDescription::parse(v))).transpose())
                .transpose()?,
            responsible_ids: r.responsible_ids.map(|ids| client_ids("responsible_ids", ids)).transpose()?,
            review_on: r
                .review_on
                .map(|v| v.map(|v| parsed("review_on", CalendarDate::parse(&v))).transpose())
                .transpose()?,
            status: r.status,
        })
    }
}

impl Patch {
    /// The row's change, moving it from `version` to the next one.
    fn into_changes(self, version: i64) -> BoundaryChanges {
        BoundaryChanges {
            title: self.title,
            description: self.description,
            responsible_ids: self.responsible_ids.map(ClientIds::new),
            status: self.status,
            review_on: self.review_on,
            version: version + 1,
            updated_at: now(),
        }
    }
}

/// Change a boundary's wording, who keeps it, its review date or its status.
#[utoipa::path(patch, operation_id = "update_boundary", path = "/api/v1/boundaries/{id}", tag = "boundaries", params(("id" = BoundaryId, Path)),
    request_body = UpdateBoundaryRequest, responses((status = 200, body = BoundaryView)))]
pub async fn update(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<BoundaryId>,
    if_match: IfMatch,
    body: ValidJson<UpdateBoundaryRequest>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let patch = Patch::try_from(body.into_inner())?;
    let view = state
        .db
        .run(move |conn| {
            audited(conn, &staff, Target::new(Action::Update, ResourceKind::Boundary, Some(&id)), |conn| {
                let current = boundaries::find_visible(conn, &staff, &id)?;
                if_match.check(current.version)?;
                if current.status == BoundaryStatus::Retired {
                    return Err(AppError::Conflict("A retired boundary cannot change.".into()));
                }
                if let Some(ids) = &patch.responsible_ids {
                    let partners = couples::partners_of(conn, &current.couple_id)?;
                    partners_only("responsible_ids", ids, &partners)?;
                }
                let activates =
                    current.status != BoundaryStatus::Active && patch.status == Some(BoundaryStatus::Active);
                if !boundaries::update(conn, &id, current.version, &patch.into_changes(current.version))? {
                    return Err(AppError::PreconditionFailed);
                }
                if activates {
                    outbox::emit_event(conn, &staff.practice_id, EventType::BoundaryActivated, &id)?;
                }
                let row = boundaries::find_visible(conn, &staff, &id)?;
                let acks = boundaries::acknowledgements(conn, std::slice::from_ref(&id))?;
                Ok(BoundaryView::new(row, &acks))
            })
        })
        .await?;
    let version = view.version;
    Ok(ok_versioned(&view, version))
}
