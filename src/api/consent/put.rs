use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::audit::{audited, Action, Target};
use crate::auth::access::couple_visible;
use crate::auth::Staff;
use crate::domain::consent::{PolicyKind, PolicyText};
use crate::domain::ids::CoupleId;
use crate::domain::value::parsed;
use crate::domain::ResourceKind;
use crate::extract::ValidJson;
use crate::http::{ok_versioned, IfMatch};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::consent;
use crate::views::consent::PolicyView;
use validator::Validate;

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutPolicyRequest {
    pub kind: PolicyKind,
    /// The text each partner signs.
    #[validate(custom(function = "PolicyText::check"))]
    #[schema(value_type = PolicyText)]
    pub text: String,
}

/// Set the couple's confidentiality policy. Each change makes a new version, which every
/// partner signs again; old versions and their signatures are kept. Sending the current kind
/// and text again changes nothing.
#[utoipa::path(put, operation_id = "put_confidentiality_policy", path = "/api/v1/couples/{id}/confidentiality-policy", tag = "consent",
    params(("id" = CoupleId, Path)), request_body = PutPolicyRequest, responses((status = 200, body = PolicyView, headers(("ETag" = String)))))]
pub async fn put(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<CoupleId>,
    if_match: IfMatch,
    body: ValidJson<PutPolicyRequest>,
) -> AppResult<HttpResponse> {
    let couple_id = path.into_inner().to_string();
    let req = body.into_inner();
    let (kind, text) = (req.kind, parsed("text", PolicyText::parse(req.text))?);
    let view = state
        .db
        .run(move |conn| {
            audited(
                conn,
                &staff,
                Target::new(Action::Update, ResourceKind::ConfidentialityPolicy, Some(&couple_id)),
                |conn| {
                    if !couple_visible(conn, &staff, &couple_id)? {
                        return Err(AppError::NotFound);
                    }
                    consent::lock_couple(conn, &couple_id)?;
                    let current = consent::current_visible(conn, &staff, &couple_id)?;
                    match &current {
                        Some(row) => if_match.check(row.version)?,
                        None if if_match == IfMatch::Any => {}
                        None => return Err(AppError::PreconditionFailed),
                    }
                    let row = match current {
                        Some(row) if row.kind == kind && row.text == text.as_str() => row,
                        previous => consent::add_version(
                            conn,
                            &staff.practice_id,
                            &couple_id,
                            previous.map(|p| p.version),
                            kind,
                            text.as_str(),
                            &staff.user_id,
                        )?,
                    };
                    super::view(conn, row)
                },
            )
        })
        .await?;
    let version = view.version;
    Ok(ok_versioned(&view, version))
}
