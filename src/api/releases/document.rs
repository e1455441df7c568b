use actix_web::{web, HttpResponse};

use crate::audit::{self, Action};
use crate::auth::Staff;
use crate::domain::consent::ReleaseId;
use crate::domain::consent::ReleaseStatus;
use crate::domain::ResourceKind;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::{disclosure_document, releases};
use crate::views::release_document::{DisclosureDocument, PdfDocument};

/// The document a recipient reads (`application/pdf`), rendered from the copy kept when the
/// release was disclosed: the practice, the recipient, the purpose, the window, each
/// authorization, every disclosed record with people's names and times in the practice's time
/// zone, and the redisclosure notice. A later edit or addendum does not change it. Assigned
/// staff only; before the release is disclosed: 409.
#[utoipa::path(get, operation_id = "release_document", path = "/api/v1/releases/{id}/document", tag = "releases",
    params(("id" = ReleaseId, Path)),
    responses((status = 200, content_type = "application/pdf", body = PdfDocument, description = "The disclosure as a PDF"),
        (status = 409, body = crate::problem::Problem, content_type = "application/problem+json",
            description = "Not disclosed yet, or disclosed before documents were kept")))]
pub async fn document(state: web::Data<AppState>, staff: Staff, path: web::Path<ReleaseId>) -> AppResult<HttpResponse> {
    let id = path.into_inner().to_string();
    let release_id = id.clone();
    let kept =
        audit::read(&state.db, staff.0, Action::Read, ResourceKind::Release, Some(id.clone()), move |conn, staff| {
            let row = releases::find_visible(conn, staff, &id)?.ok_or(AppError::NotFound)?;
            if row.status != ReleaseStatus::Disclosed {
                return Err(AppError::Conflict(
                    "The release has not been disclosed; its document exists once it is.".into(),
                ));
            }
            match disclosure_document::of_release(conn, &staff.practice_id, &id)? {
                Some(Some(json)) => Ok(json),
                _ => Err(AppError::Conflict("This release was disclosed before documents were kept.".into())),
            }
        })
        .await?;
    let pdf = web::block(move || -> AppResult<Vec<u8>> {
        // Neither error's text goes to the log: a parser's message can quote the document.
        let doc: DisclosureDocument = serde_json::from_str(&kept)
            .map_err(|_| AppError::Internal("the kept disclosure document could not be read".into()))?;
        doc.render().map_err(|e| AppError::Internal(Box::new(e)))
    })
    .await
    .map_err(|e| AppError::Internal(Box::new(e)))??;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header(("content-disposition", format!("inline; filename=\"disclosure-{release_id}.pdf\"")))
        .insert_header(("cache-control", "no-store"))
        .insert_header(("x-content-type-options", "nosniff"))
        .body(pdf))
}
