use actix_web::{web, HttpResponse};
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::audit::{audited, Action, Target};
use crate::auth::access::visible_clients;
use crate::auth::Staff;
use crate::db::new_id;
use crate::db::schema::clients;
use crate::domain::client::{self as rules, CONCERN_MAX};
use crate::domain::ResourceKind;
use crate::domain::{date, text};
use crate::http::{created, API};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::couples::{self, NewCouple};
use crate::views::clients::{couple_view, CoupleView};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCoupleRequest {
    /// Exactly two distinct clients the caller can see.
    #[schema(schema_with = crate::api::sessions::docs::partner_ids)]
    pub partner_ids: Vec<String>,
    /// 1 to 5000 characters when given, not blank.
    #[schema(min_length = 1, max_length = 5000, pattern = r"\S")]
    pub presenting_concern: Option<String>,
    /// `YYYY-MM-DD`, not in the future.
    #[schema(format = Date, pattern = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub relationship_started_on: Option<String>,
}

/// Start work with a couple. The creator is assigned to the couple.
///
/// Both partners must be distinct clients of the caller's practice that the caller can see;
/// otherwise 422 on `partner_ids`, which never tells which id exists.
#[utoipa::path(post, path = "/api/v1/couples", tag = "couples", request_body = CreateCoupleRequest,
    responses((status = 201, body = CoupleView, headers(("Location" = String), ("ETag" = String)))))]
pub async fn create(
    staff: Staff,
    state: web::Data<AppState>,
    body: web::Json<CreateCoupleRequest>,
) -> AppResult<HttpResponse> {
    let req = body.into_inner();
    let bad_partners = || AppError::field("partner_ids", "must be two distinct clients you can see");
    let started = req
        .relationship_started_on
        .as_deref()
        .map(|d| date::past("relationship_started_on", d, date::today()))
        .transpose();
    text::collect([
        match req.partner_ids.as_slice() {
            [a, b] if a != b => Ok(()),
            _ => Err(crate::problem::FieldError::new("partner_ids", "must be two distinct clients you can see")),
        },
        rules::optional("presenting_concern", req.presenting_concern.as_deref(), CONCERN_MAX),
        started.as_ref().map(|_| ()).map_err(Clone::clone),
    ])?;
    let relationship_started_on = started.map_err(|e| AppError::Validation(vec![e]))?;
    let [a, b]: [String; 2] = req.partner_ids.try_into().map_err(|_| bad_partners())?;
    let id = new_id();
    let new = NewCouple {
        id: id.clone(),
        partner_ids: [a, b],
        presenting_concern: req.presenting_concern,
        relationship_started_on,
    };
    let view = state
        .db
        .run(move |conn| {
            audited(conn, &staff, Target::new(Action::Create, ResourceKind::Couple, Some(&id)), |conn| {
                let seen: i64 = visible_clients(&staff)
                    .filter(clients::id.eq_any(new.partner_ids.to_vec()))
                    .count()
                    .get_result(conn)?;
                if seen != 2 {
                    return Err(bad_partners());
                }
                couples::create(conn, &staff.practice_id, &new)?;
                couples::assign(conn, &staff.practice_id, &id, &staff.user_id)?;
                let row = couples::find_visible(conn, &staff, &id)?.ok_or(AppError::NotFound)?;
                Ok(couple_view(conn, row)?)
            })
        })
        .await?;
    let location = format!("{API}/couples/{}", view.id);
    let version = view.version;
    Ok(created(&view, location, Some(version)))
}
