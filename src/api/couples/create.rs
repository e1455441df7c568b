use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use crate::audit::{audited, Action, Target};
use crate::auth::Staff;
use crate::db::now;
use crate::domain::ids::{ClientId, CoupleId, PracticeId};
use crate::domain::value::{parsed, Concern, PastDate};
use crate::domain::{CoupleStatus, ResourceKind};
use crate::extract::{rule, ValidJson};
use crate::http::{created, API};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::couples::{self, NewCouple};
use crate::views::clients::{couple_view, CoupleView};

const BAD_PARTNERS: &str = "must be two distinct clients you can see";

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCoupleRequest {
    /// Exactly two distinct clients the caller can see.
    #[validate(custom(function = "two_distinct"))]
    #[schema(schema_with = crate::api::sessions::docs::partner_ids)]
    pub partner_ids: Vec<String>,
    #[validate(custom(function = "Concern::check"))]
    #[schema(value_type = Option<Concern>)]
    pub presenting_concern: Option<String>,
    #[validate(custom(function = "PastDate::check"))]
    #[schema(value_type = Option<PastDate>)]
    pub relationship_started_on: Option<String>,
}

/// Two ids that differ (whether they are clients the caller sees is the store's question).
fn two_distinct(ids: &[String]) -> Result<(), ValidationError> {
    match ids {
        [a, b] if a != b => Ok(()),
        _ => Err(rule(BAD_PARTNERS)),
    }
}

/// The checked request as the store takes it.
struct Checked {
    /// `None` when an id is not a UUID: no client has it (answered inside the audited work,
    /// like a client the caller cannot see).
    partner_ids: Option<[ClientId; 2]>,
    presenting_concern: Option<Concern>,
    relationship_started_on: Option<PastDate>,
}

impl TryFrom<CreateCoupleRequest> for Checked {
    type Error = AppError;
    fn try_from(r: CreateCoupleRequest) -> AppResult<Checked> {
        let ids: Option<Vec<ClientId>> = r.partner_ids.iter().map(|id| id.parse().ok()).collect();
        Ok(Checked {
            partner_ids: ids.and_then(|ids| <[ClientId; 2]>::try_from(ids).ok()),
            presenting_concern: r
                .presenting_concern
                .map(|v| parsed("presenting_concern", Concern::parse(v)))
                .transpose()?,
            relationship_started_on: r
                .relationship_started_on
                .map(|v| parsed("relationship_started_on", PastDate::parse(&v)))
                .transpose()?,
        })
    }
}

impl Checked {
    fn into_row(self, id: CoupleId, practice_id: PracticeId) -> (NewCouple, Option<[ClientId; 2]>) {
        let at = now();
        let row = NewCouple {
            id,
            practice_id,
            status: CoupleStatus::Active,
            presenting_concern: self.presenting_concern,
            relationship_started_on: self.relationship_started_on,
            version: 1,
            created_at: at,
            updated_at: at,
        };
        (row, self.partner_ids)
    }
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
    body: ValidJson<CreateCoupleRequest>,
) -> AppResult<HttpResponse> {
    let id = CoupleId::new();
    let (new, partner_ids) = Checked::try_from(body.into_inner())?.into_row(id.clone(), staff.practice_id.clone());
    let view = state
        .db
        .run(move |conn| {
            audited(conn, &staff, Target::new(Action::Create, ResourceKind::Couple, Some(&id)), |conn| {
                let bad_partners = || AppError::field("partner_ids", BAD_PARTNERS);
                let partner_ids = partner_ids.ok_or_else(bad_partners)?;
                if couples::visible_client_count(conn, &staff, &partner_ids)? != 2 {
                    return Err(bad_partners());
                }
                couples::create(conn, &new, &partner_ids)?;
                couples::assign(conn, &staff.practice_id, &id, &staff.user_id)?;
                Ok(couple_view(conn, &staff, &id)?)
            })
        })
        .await?;
    let location = format!("{API}/couples/{}", view.id);
    let version = view.version;
    Ok(created(&view, location, Some(version)))
}
