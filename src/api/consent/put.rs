use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::audit::{audited, Action, Target};
use crate::auth::access::couple_visible;
use crate::auth::Staff;
use crate::domain::consent::PolicyKind;
use crate::domain::ids::CoupleId;
use crate::domain::text;
use crate::domain::ResourceKind;
use crate::http::{ok_versioned, IfMatch};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::consent;
use crate::views::consent::PolicyView;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutPolicyRequest {
    pub kind: PolicyKind,
    /// 1 to 20000 characters: the text each partner signs.
    #[schema(min_length = 1, max_length = 20000, pattern = r"\S")]
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
    body: web::Json<PutPolicyRequest>,
) -> AppResult<HttpResponse> {
    let couple_id = path.into_inner().to_string();
    let req = body.into_inner();
    text::collect([text::required("text", &req.text, 20000)])?;
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
                        Some(row) if row.kind == req.kind && row.text == req.text => row,
                        previous => consent::add_version(
                            conn,
                            &staff.practice_id,
                            &couple_id,
                            previous.map(|p| p.version),
                            req.kind,
                            &req.text,
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
