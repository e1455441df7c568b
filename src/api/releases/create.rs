use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::audit::{audited_under, Action, Target};
use crate::auth::Staff;
use crate::db::new_id;
use crate::domain::consent::{
    check_date, check_expiry, check_unique_kinds, day, Organization, Purpose, RecipientName, RecordKind,
};
use crate::domain::date;
use crate::domain::ids::{ClientId, CoupleId};
use crate::domain::value::parsed;
use crate::domain::ResourceKind;
use crate::extract::{field_rule, ValidJson};
use crate::http::{created, API};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::releases::{self, NewRelease};
use crate::store::sessions::{possible_attendees, subject_visible, Subject};
use validator::Validate;

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecipientRequest {
    #[validate(custom(function = "RecipientName::check"))]
    #[schema(value_type = RecipientName)]
    pub name: String,
    #[validate(custom(function = "Organization::check"))]
    #[schema(value_type = Option<Organization>)]
    pub organization: Option<String>,
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "one_subject"))]
#[validate(schema(function = "window_in_order"))]
pub struct CreateReleaseRequest {
    /// A couple's joint records (both partners authorize). Exactly one of `couple_id` and
    /// `client_id`.
    pub couple_id: Option<CoupleId>,
    /// One client's individual records (that client authorizes).
    pub client_id: Option<ClientId>,
    #[validate(nested)]
    pub recipient: RecipientRequest,
    #[validate(custom(function = "Purpose::check"))]
    #[schema(value_type = Purpose)]
    pub purpose: String,
    /// First day of the window, `YYYY-MM-DD` (no earlier limit when absent).
    #[validate(custom(function = "check_date"))]
    #[schema(format = Date, pattern = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub from: Option<String>,
    /// Last day of the window, `YYYY-MM-DD`, not before `from`.
    #[validate(custom(function = "check_date"))]
    #[schema(format = Date, pattern = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub to: Option<String>,
    /// The kinds of records to release, each at most once.
    #[validate(custom(function = "check_unique_kinds"))]
    #[schema(value_type = std::collections::BTreeSet<RecordKind>)]
    pub include: Vec<RecordKind>,
    /// Mediation (psychotherapy) notes only when this says so. Default false.
    #[serde(default)]
    pub include_mediation_notes: bool,
    /// The last day the release may be disclosed, `YYYY-MM-DD`, not before today.
    #[validate(custom(function = "check_expiry"))]
    #[schema(format = Date, pattern = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub expires_on: String,
}

fn one_subject(r: &CreateReleaseRequest) -> Result<(), validator::ValidationError> {
    match (&r.couple_id, &r.client_id) {
        (Some(_), None) | (None, Some(_)) => Ok(()),
        _ => Err(field_rule("couple_id", "give exactly one of couple_id and client_id")),
    }
}

fn window_in_order(r: &CreateReleaseRequest) -> Result<(), validator::ValidationError> {
    let day = |d: &Option<String>| d.as_deref().and_then(|d| date::parse("date", d).ok());
    match (day(&r.from), day(&r.to)) {
        (Some(from), Some(to)) if to < from => Err(field_rule("to", "must not be before from")),
        _ => Ok(()),
    }
}

/// The checked request as the store takes it.
struct Checked {
    subject: Subject,
    recipient_name: RecipientName,
    recipient_organization: Option<Organization>,
    purpose: Purpose,
    from: Option<String>,
    to: Option<String>,
    include: Vec<RecordKind>,
    include_mediation_notes: bool,
    expires_on: String,
}

impl TryFrom<CreateReleaseRequest> for Checked {
    type Error = AppError;
    fn try_from(r: CreateReleaseRequest) -> AppResult<Checked> {
        let subject = match (r.couple_id, r.client_id) {
            (Some(k), None) => Subject::Couple(k),
            (None, Some(c)) => Subject::Client(c),
            _ => return Err(AppError::field("couple_id", "give exactly one of couple_id and client_id")),
        };
        let expires = date::parse("expires_on", &r.expires_on).map_err(|e| AppError::Validation(vec![e]))?;
        Ok(Checked {
            subject,
            recipient_name: parsed("recipient.name", RecipientName::parse(r.recipient.name))?,
            recipient_organization: r
                .recipient
                .organization
                .map(|o| parsed("recipient.organization", Organization::parse(o)))
                .transpose()?,
            purpose: parsed("purpose", Purpose::parse(r.purpose))?,
            from: r.from,
            to: r.to,
            include: r.include,
            include_mediation_notes: r.include_mediation_notes,
            expires_on: day(expires),
        })
    }
}

/// Create a release of a couple's joint records or of one client's individual records. The
/// server computes `required_ids` (both partners, or the client); it starts `pending` until
/// every one of them authorizes it in the portal.
#[utoipa::path(post, operation_id = "create_release", path = "/api/v1/releases", tag = "releases",
    request_body = CreateReleaseRequest, responses((status = 201, body = crate::views::releases::ReleaseView, headers(("Location" = String), ("ETag" = String)))))]
pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    body: ValidJson<CreateReleaseRequest>,
) -> AppResult<HttpResponse> {
    let req = Checked::try_from(body.into_inner())?;
    let subject = req.subject.clone();
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
                releases::create(
                    conn,
                    &NewRelease {
                        id: &id,
                        practice_id: &staff.practice_id,
                        subject: &subject,
                        recipient_name: req.recipient_name.as_str(),
                        recipient_organization: req.recipient_organization.as_ref().map(|o| o.as_str()),
                        purpose: req.purpose.as_str(),
                        from_on: req.from.as_deref(),
                        to_on: req.to.as_deref(),
                        include: &req.include,
                        include_mediation_notes: req.include_mediation_notes,
                        expires_on: &req.expires_on,
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
