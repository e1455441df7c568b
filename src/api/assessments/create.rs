use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::{built_in, instrument, InstrumentKey};
use crate::audit::{self, audited_under, Action, Outcome, Target};
use crate::auth::access::{client_assigned, clinical_refusal, couple_visible};
use crate::auth::Staff;
use crate::domain::date;
use crate::domain::ids::ClientId;
use crate::domain::ids::CoupleId;
use crate::domain::instruments::AssessmentId;
use crate::domain::ResourceKind;
use crate::extract::ValidJson;
use crate::http::{created, API};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::assessments::{self, NewAssessment};
use crate::store::couples;
use crate::views::assessments::{AssessmentPair, AssessmentView};

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAssessmentRequest {
    #[schema(value_type = InstrumentKey)]
    #[validate(custom(function = "built_in"))]
    pub instrument: String,
    /// When it should be answered, `YYYY-MM-DD`.
    #[schema(format = Date, pattern = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    #[validate(custom(function = "calendar_date"))]
    pub due_on: Option<String>,
    /// The day the portal starts to offer it (the practice's time zone); before it a partner
    /// does not see it and cannot answer it. Not after `due_on`.
    #[schema(format = Date, pattern = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    #[validate(custom(function = "calendar_date"))]
    pub opens_on: Option<String>,
}

fn calendar_date(value: &str) -> Result<(), validator::ValidationError> {
    date::parse("date", value).map(drop).map_err(|e| crate::extract::rule(e.message))
}

impl CreateAssessmentRequest {
    /// The instrument's key (the DTO's rule has checked it), once the dates agree: `opens_on`
    /// not after `due_on`.
    fn key(&self) -> AppResult<&'static str> {
        let key = instrument("instrument", &self.instrument).map(|i| i.key)?;
        // Both are `YYYY-MM-DD` (checked), so text order is date order.
        if let (Some(opens), Some(due)) = (&self.opens_on, &self.due_on) {
            if opens > due {
                return Err(AppError::field("opens_on", "must not be after due_on"));
            }
        }
        Ok(key)
    }
}

/// Assign a questionnaire to both partners of a couple: one assessment each, answered alone.
#[utoipa::path(post, operation_id = "create_couple_assessments", path = "/api/v1/couples/{id}/assessments", tag = "assessments",
    params(("id" = inline(CoupleId), Path)), request_body = CreateAssessmentRequest, responses((status = 201, body = AssessmentPair, headers(("Location" = String)))))]
pub async fn for_couple(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<CoupleId>,
    body: ValidJson<CreateAssessmentRequest>,
) -> AppResult<HttpResponse> {
    let couple_id = path.into_inner();
    let req = body.into_inner();
    let key = req.key()?;
    let ids = [AssessmentId::new(), AssessmentId::new()];
    let cid = couple_id.clone();
    let rows = state
        .db
        .run(move |conn| {
            let target = Target::new(Action::Create, ResourceKind::Assessment, Some(ids[0].as_str()));
            let parent = Target::new(Action::Create, ResourceKind::Couple, Some(couple_id.as_str()));
            audited_under(conn, &staff, target, parent, |conn| {
                if !couple_visible(conn, &staff, &couple_id)? {
                    return Err(AppError::NotFound);
                }
                let partners: Vec<ClientId> =
                    couples::partners_of(conn, &couple_id)?.into_iter().map(ClientId::from_db).collect();
                let mut rows = Vec::new();
                for (id, client_id) in ids.iter().zip(&partners) {
                    let new = NewAssessment {
                        id,
                        practice_id: &staff.practice_id,
                        instrument: key,
                        client_id,
                        couple_id: Some(&couple_id),
                        due_on: req.due_on.as_deref(),
                        opens_on: req.opens_on.as_deref(),
                        created_by: &staff.user_id,
                    };
                    assessments::create(conn, &new)?;
                    if id != &ids[0] {
                        // The first assessment's event is written by `audited_under`.
                        audit::record(
                            conn,
                            &staff.audit_context(),
                            Action::Create,
                            ResourceKind::Assessment,
                            Some(id.as_str()),
                            Outcome::Success,
                        )?;
                    }
                    rows.push(assessments::find_visible(conn, &staff, id)?);
                }
                Ok(rows)
            })
        })
        .await?;
    let items = rows.into_iter().map(AssessmentView::from).collect();
    Ok(created(&AssessmentPair { items }, format!("{API}/couples/{cid}/assessments"), None))
}

/// Assign a questionnaire to a client seen on their own (the counselor is assigned to them).
/// Someone who may see the client but is not assigned to them (an admin) gets 403.
#[utoipa::path(post, operation_id = "create_client_assessment", path = "/api/v1/clients/{id}/assessments", tag = "assessments",
    params(("id" = inline(ClientId), Path)), request_body = CreateAssessmentRequest, responses((status = 201, body = AssessmentView, headers(("Location" = String), ("ETag" = String))),
        (status = 403, body = crate::problem::Problem)))]
pub async fn for_client(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<ClientId>,
    body: ValidJson<CreateAssessmentRequest>,
) -> AppResult<HttpResponse> {
    let client_id = path.into_inner();
    let req = body.into_inner();
    let key = req.key()?;
    let id = AssessmentId::new();
    let row = state
        .db
        .run(move |conn| {
            let target = Target::new(Action::Create, ResourceKind::Assessment, Some(id.as_str()));
            let parent = Target::new(Action::Create, ResourceKind::Client, Some(client_id.as_str()));
            audited_under(conn, &staff, target, parent, |conn| {
                if !(client_assigned(conn, &staff, &client_id)?
                    && assessments::client_in_caseload(conn, &staff, &client_id)?)
                {
                    // Someone who sees the client's record (an admin, a counselor of one of
                    // the client's couples) learns why; anyone else that there is no such client.
                    return Err(clinical_refusal(
                        conn,
                        &staff,
                        &client_id,
                        "Only a counselor assigned to the client may assign them a questionnaire.",
                    )?);
                }
                let new = NewAssessment {
                    id: &id,
                    practice_id: &staff.practice_id,
                    instrument: key,
                    client_id: &client_id,
                    couple_id: None,
                    due_on: req.due_on.as_deref(),
                    opens_on: req.opens_on.as_deref(),
                    created_by: &staff.user_id,
                };
                assessments::create(conn, &new)?;
                Ok(assessments::find_visible(conn, &staff, &id)?)
            })
        })
        .await?;
    let (location, version) = (format!("{API}/assessments/{}", row.id), row.version);
    Ok(created(&AssessmentView::from(row), location, Some(version)))
}
