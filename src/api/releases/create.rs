use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::audit::{audited_under, Action, Target};
use crate::auth::Staff;
use crate::db::new_id;
use crate::domain::consent::{day, RecordKind};
use crate::domain::ids::{ClientId, CoupleId};
use crate::domain::ResourceKind;
use crate::domain::{date, text};
use crate::http::{created, API};
use crate::problem::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::store::releases::{self, NewRelease};
use crate::store::sessions::{possible_attendees, subject_visible, Subject};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecipientRequest {
    /// 1 to 200 characters.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: String,
    /// Up to 200 characters.
    #[schema(max_length = 200)]
    pub organization: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateReleaseRequest {
    /// A couple's joint records (both partners authorize). Exactly one of `couple_id` and
    /// `client_id`.
    pub couple_id: Option<CoupleId>,
    /// One client's individual records (that client authorizes).
    pub client_id: Option<ClientId>,
    pub recipient: RecipientRequest,
    /// 1 to 2000 characters.
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    pub purpose: String,
    /// First day of the window, `YYYY-MM-DD` (no earlier limit when absent).
    #[schema(format = Date, pattern = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub from: Option<String>,
    /// Last day of the window, `YYYY-MM-DD`, not before `from`.
    #[schema(format = Date, pattern = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub to: Option<String>,
    /// The kinds of records to release, each at most once.
    #[schema(value_type = std::collections::BTreeSet<RecordKind>)]
    pub include: Vec<RecordKind>,
    /// Mediation (psychotherapy) notes only when this says so. Default false.
    #[serde(default)]
    pub include_mediation_notes: bool,
    /// The last day the release may be disclosed, `YYYY-MM-DD`, not before today.
    #[schema(format = Date, pattern = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub expires_on: String,
}

fn checks(req: &CreateReleaseRequest) -> AppResult<()> {
    let unique = {
        let kinds: std::collections::HashSet<RecordKind> = req.include.iter().copied().collect();
        kinds.len() == req.include.len()
    };
    let from = req.from.as_deref().map(|d| date::parse("from", d));
    let to = req.to.as_deref().map(|d| date::parse("to", d));
    let order = match (&from, &to) {
        (Some(Ok(f)), Some(Ok(t))) if t < f => Err(FieldError::new("to", "must not be before from")),
        _ => Ok(()),
    };
    let expires = date::parse("expires_on", &req.expires_on).and_then(|d| {
        if d < date::today() {
            Err(FieldError::new("expires_on", "must not be before today"))
        } else {
            Ok(())
        }
    });
    let subject = match (&req.couple_id, &req.client_id) {
        (Some(_), None) | (None, Some(_)) => Ok(()),
        _ => Err(FieldError::new("couple_id", "give exactly one of couple_id and client_id")),
    };
    text::collect([
        subject,
        text::required("recipient.name", &req.recipient.name, 200),
        text::optional("recipient.organization", req.recipient.organization.as_deref(), 200),
        text::required("purpose", &req.purpose, 2000),
        from.map_or(Ok(()), |r| r.map(|_| ())),
        to.map_or(Ok(()), |r| r.map(|_| ())),
        order,
        expires,
        if unique { Ok(()) } else { Err(FieldError::new("include", "must not repeat a kind")) },
    ])
}

/// Create a release of a couple's joint records or of one client's individual records. The
/// server computes `required_ids` (both partners, or the client); it starts `pending` until
/// every one of them authorizes it in the portal.
#[utoipa::path(post, operation_id = "create_release", path = "/api/v1/releases", tag = "releases",
    request_body = CreateReleaseRequest, responses((status = 201, body = crate::views::releases::ReleaseView, headers(("Location" = String), ("ETag" = String)))))]
pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    body: web::Json<CreateReleaseRequest>,
) -> AppResult<HttpResponse> {
    let req = body.into_inner();
    checks(&req)?;
    let subject = match (&req.couple_id, &req.client_id) {
        (Some(k), _) => Subject::Couple(k.to_string()),
        (None, Some(c)) => Subject::Client(c.to_string()),
        (None, None) => return Err(AppError::field("couple_id", "give exactly one of couple_id and client_id")),
    };
    let id = new_id();
    let view = state
        .db
        .run(move |conn| {
            let target = Target::new(Action::Create, ResourceKind::Release, Some(&id));
            let parent = Target::new(Action::Create, subject.resource_type(), Some(subject.id()));
            audited_under(conn, &staff, target, parent, |conn| {
                if !subject_visible(conn, &staff, &subject)? {
                    return Err(AppError::NotFound);
                }
                let required_ids = possible_attendees(conn, &subject)?;
                let expires_on =
                    day(date::parse("expires_on", &req.expires_on).map_err(|e| AppError::Validation(vec![e]))?);
                releases::create(
                    conn,
                    &NewRelease {
                        id: &id,
                        practice_id: &staff.practice_id,
                        subject: &subject,
                        recipient_name: &req.recipient.name,
                        recipient_organization: req.recipient.organization.as_deref(),
                        purpose: &req.purpose,
                        from_on: req.from.as_deref(),
                        to_on: req.to.as_deref(),
                        include: &req.include,
                        include_mediation_notes: req.include_mediation_notes,
                        expires_on: &expires_on,
                        created_by: &staff.user_id,
                        required_ids: &required_ids,
                    },
                )?;
                let row = releases::find_visible(conn, &staff, &id)?.ok_or(AppError::NotFound)?;
                super::view(conn, row)
            })
        })
        .await?;
    let (location, version) = (format!("{API}/releases/{}", view.id), view.version);
    Ok(created(&view, location, Some(version)))
}
