use actix_web::{web, HttpResponse};

use serde::Deserialize;
use utoipa::IntoParams;
use validator::Validate;

use crate::api::assessments::{built_in, instrument, InstrumentKey};
use crate::audit::{self, Action};
use crate::auth::PortalClient;
use crate::domain::ids::{ClientId, CoupleId};
use crate::domain::ResourceKind;
use crate::extract::ValidQuery;
use crate::pagination::PageRequest;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::assessments;
use crate::store::boundaries::ts_key;
use crate::views::assessments::{PortalAssessment, PortalAssessmentList};

#[derive(Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PortalListQuery {
    /// Only this couple's (one of the caller's couples; another is 404).
    #[param(value_type = Option<uuid::Uuid>)]
    pub couple_id: Option<CoupleId>,
    /// Only this instrument's assessments.
    #[param(value_type = Option<InstrumentKey>)]
    #[validate(custom(function = "built_in"))]
    pub instrument: Option<String>,
    /// 1 to 100, default 25.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The caller's own assessments, oldest first; never the partner's.
#[utoipa::path(get, operation_id = "list_portal_assessments", path = "/api/v1/portal/assessments", tag = "portal",
    params(PortalListQuery), responses((status = 200, body = PortalAssessmentList)))]
pub async fn list(
    state: web::Data<AppState>,
    client: PortalClient,
    query: ValidQuery<PortalListQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let page = PageRequest::parse("portal-assessments", 2, q.limit, q.cursor.as_deref())?;
    let instrument = q.instrument.as_deref().map(|k| instrument("instrument", k).map(|i| i.key)).transpose()?;
    let me = client.client_id.clone();
    // The resource asked for: the couple when filtered by one, else the caller's own list.
    let couple_id = q.couple_id;
    let asked = couple_id.as_ref().map(CoupleId::to_string).or_else(|| me.as_ref().map(ClientId::to_string));
    let list = audit::read(&state.db, client.0, Action::List, ResourceKind::Assessment, asked, move |conn, client| {
        me.ok_or(AppError::NotFound)?;
        if let Some(couple_id) = &couple_id {
            if !assessments::is_own_couple(conn, client, couple_id)? {
                return Err(AppError::NotFound);
            }
        }
        // Questionnaires not yet open are not offered (the practice's day decides).
        let zone = crate::store::practices::own(conn, &client.practice_id)?.timezone;
        let today = crate::domain::trust::today_in(&zone).format("%Y-%m-%d").to_string();
        let rows = assessments::list_own(conn, client, couple_id.as_ref(), instrument, &today, &page)?;
        let page = page.finish(
            rows,
            |r| vec![ts_key(r.row().created_at), r.row().id.to_string()],
            |r| PortalAssessment::from(&r),
        );
        Ok(PortalAssessmentList { items: page.items, next_cursor: page.next_cursor })
    })
    .await?;
    Ok(HttpResponse::Ok().json(list))
}
