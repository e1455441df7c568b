use actix_web::{web, HttpResponse};

use crate::audit::{self, audited, Action, Outcome, Target};
use crate::auth::Staff;
use crate::db::{new_id, now, AnyConnection};
use crate::domain::consent::ReleaseId;
use crate::domain::consent::{day, ReleaseStatus};
use crate::domain::date;
use crate::domain::Actor;
use crate::domain::ResourceKind;
use crate::http::ok_versioned;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::disclosure::{self, Window};
use crate::store::releases::{self, AuthorizerRow, ReleaseRow};
use crate::store::{disclosure_document, practices};
use crate::views::release_document::{people_in, DisclosureDocument, DocumentParts};
use crate::views::releases::{DisclosedRecords, DisclosedView};

/// Disclose the records of an authorized release: answers the release and exactly the included
/// kinds within its window. Only when `authorized`, not revoked and not expired (else 409, and
/// nothing is recorded). The disclosure goes into the accounting of every client whose records
/// it carried, and is audited `disclose` for each of them.
#[utoipa::path(post, operation_id = "disclose_release", path = "/api/v1/releases/{id}/disclose", tag = "releases", params(("id" = ReleaseId, Path)),
    responses((status = 200, body = DisclosedView, headers(("ETag" = String)))))]
pub async fn disclose(state: web::Data<AppState>, staff: Staff, path: web::Path<ReleaseId>) -> AppResult<HttpResponse> {
    let id = path.into_inner().to_string();
    let view = state
        .db
        .run(move |conn| {
            audited(conn, &staff, Target::new(Action::Disclose, ResourceKind::Release, Some(&id)), |conn| {
                let current = releases::find_visible(conn, &staff, &id)?.ok_or(AppError::NotFound)?;
                let today = date::today();
                match ReleaseStatus::effective(current.status, &current.expires_on, today) {
                    ReleaseStatus::Authorized => {}
                    ReleaseStatus::Pending => {
                        return Err(AppError::Conflict("Not every required client has authorized it.".into()))
                    }
                    ReleaseStatus::Expired => return Err(AppError::Conflict("This release has expired.".into())),
                    ReleaseStatus::Revoked => return Err(AppError::Conflict("This release was revoked.".into())),
                    ReleaseStatus::Disclosed => {
                        return Err(AppError::Conflict("This release was already disclosed.".into()))
                    }
                }
                let at = now();
                // The one write that decides: only from `authorized` at this version, not expired.
                if !releases::mark_disclosed(conn, &id, current.version, &day(today), at)? {
                    return Err(AppError::Conflict("The release changed; it can no longer be disclosed.".into()));
                }
                let subject = current.subject();
                let window = Window::of(current.from_on.as_deref(), current.to_on.as_deref());
                let records = disclosure::collect(
                    conn,
                    &staff,
                    &subject,
                    window,
                    &current.include(),
                    current.include_mediation_notes,
                )?;
                let authorizers = releases::authorizers(conn, std::slice::from_ref(&id))?;
                let carried: Vec<String> = authorizers.iter().map(|a| a.client_id.clone()).collect();
                let disclosure_id = new_id();
                releases::record_disclosure(conn, &disclosure_id, &current, &staff.user_id, at, &carried)?;
                let records = DisclosedRecords::from(records);
                let document = document_of(conn, &staff, &current, &authorizers, at, &records)?;
                disclosure_document::keep(conn, &disclosure_id, &document)?;
                let ctx = staff.audit_context();
                for client_id in &carried {
                    audit::record(
                        conn,
                        &ctx,
                        Action::Disclose,
                        ResourceKind::Client,
                        Some(client_id),
                        Outcome::Success,
                    )?;
                }
                let row = releases::find_visible(conn, &staff, &id)?.ok_or(AppError::NotFound)?;
                Ok(DisclosedView { release: super::view(conn, row)?, records })
            })
        })
        .await?;
    let version = view.release.version;
    Ok(ok_versioned(&view, version))
}

/// The document of this disclosure, as JSON to keep: the records with the names of the people
/// they name, the practice's name and time zone, as they are now.
fn document_of(
    conn: &mut AnyConnection,
    staff: &Actor,
    release: &ReleaseRow,
    authorizers: &[AuthorizerRow],
    at: chrono::NaiveDateTime,
    records: &DisclosedRecords,
) -> AppResult<String> {
    let practice = practices::own(conn, &staff.practice_id)?;
    let mut people = people_in(records);
    people.extend(authorizers.iter().map(|a| a.client_id.clone()));
    people.insert(staff.user_id.to_string());
    let people: Vec<String> = people.into_iter().collect();
    let names = disclosure_document::names(conn, &staff.practice_id, &people)?;
    let doc = DisclosureDocument::new(DocumentParts {
        release,
        authorizers,
        practice_name: practice.name,
        timezone: practice.timezone,
        disclosed_at: date::instant(at),
        disclosed_by: names.get(staff.user_id.as_str()).cloned().unwrap_or_default(),
        names,
        records,
    })
    .and_then(|d| serde_json::to_string(&d))
    .map_err(|_| AppError::Internal("the disclosure document could not be written".into()))?;
    Ok(doc)
}
