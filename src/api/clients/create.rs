use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use crate::audit::{audited, Action, Target};
use crate::auth::Staff;
use crate::db::now;
use crate::domain::ids::{ClientId, PracticeId};
use crate::domain::value::{parsed, Email, Name, PastDate, Phone};
use crate::domain::{ClientStatus, ResourceKind, Role};
use crate::extract::ValidJson;
use crate::http::{created, API};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::clients::{self, NewClient};
use crate::views::clients::{client_view, ClientView};

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateClientRequest {
    /// Stored exactly as sent.
    #[validate(custom(function = "Name::check"))]
    #[schema(value_type = Name)]
    pub first_name: String,
    /// Stored exactly as sent.
    #[validate(custom(function = "Name::check"))]
    #[schema(value_type = Name)]
    pub last_name: String,
    #[validate(custom(function = "Name::check"))]
    #[schema(value_type = Option<Name>)]
    pub preferred_name: Option<String>,
    #[validate(custom(function = "Name::check"))]
    #[schema(value_type = Option<Name>)]
    pub pronouns: Option<String>,
    #[validate(custom(function = "PastDate::check"))]
    #[schema(value_type = Option<PastDate>)]
    pub date_of_birth: Option<String>,
    /// Stored lower-cased; becomes the portal login when the client is invited.
    #[validate(custom(function = "Email::check"))]
    #[schema(value_type = Option<Email>)]
    pub email: Option<String>,
    #[validate(custom(function = "Phone::check"))]
    #[schema(value_type = Option<Phone>)]
    pub phone: Option<String>,
}

/// The checked request as the store takes it.
struct Checked {
    first_name: Name,
    last_name: Name,
    preferred_name: Option<Name>,
    pronouns: Option<Name>,
    date_of_birth: Option<PastDate>,
    email: Option<Email>,
    phone: Option<Phone>,
}

impl TryFrom<CreateClientRequest> for Checked {
    type Error = AppError;
    fn try_from(r: CreateClientRequest) -> AppResult<Checked> {
        Ok(Checked {
            first_name: parsed("first_name", Name::parse(r.first_name))?,
            last_name: parsed("last_name", Name::parse(r.last_name))?,
            preferred_name: r.preferred_name.map(|v| parsed("preferred_name", Name::parse(v))).transpose()?,
            pronouns: r.pronouns.map(|v| parsed("pronouns", Name::parse(v))).transpose()?,
            date_of_birth: r.date_of_birth.map(|v| parsed("date_of_birth", PastDate::parse(&v))).transpose()?,
            email: r.email.map(|v| parsed("email", Email::parse(&v))).transpose()?,
            phone: r.phone.map(|v| parsed("phone", Phone::parse(v))).transpose()?,
        })
    }
}

impl Checked {
    fn into_row(self, id: ClientId, practice_id: PracticeId) -> NewClient {
        let at = now();
        NewClient {
            id,
            practice_id,
            first_name: self.first_name,
            last_name: self.last_name,
            preferred_name: self.preferred_name,
            pronouns: self.pronouns,
            date_of_birth: self.date_of_birth,
            email: self.email,
            phone: self.phone,
            status: ClientStatus::Active,
            version: 1,
            created_at: at,
            updated_at: at,
        }
    }
}

/// Add a client to the practice. A counselor who creates a client is assigned to it.
#[utoipa::path(post, path = "/api/v1/clients", tag = "clients", request_body = CreateClientRequest,
    responses((status = 201, body = ClientView, headers(("Location" = String), ("ETag" = String)))))]
pub async fn create(
    staff: Staff,
    state: web::Data<AppState>,
    body: ValidJson<CreateClientRequest>,
) -> AppResult<HttpResponse> {
    let id = ClientId::new();
    let new = Checked::try_from(body.into_inner())?.into_row(id.clone(), staff.practice_id.clone());
    let view = state
        .db
        .run(move |conn| {
            audited(conn, &staff, Target::new(Action::Create, ResourceKind::Client, Some(&id)), |conn| {
                clients::create(conn, &new)?;
                if staff.role == Role::Counselor {
                    clients::assign(conn, &staff.practice_id, &id, &staff.user_id)?;
                }
                let row = clients::find_visible(conn, &staff, &id)?;
                Ok(client_view(conn, row)?)
            })
        })
        .await?;
    let location = format!("{API}/clients/{}", view.id);
    let version = view.version;
    Ok(created(&view, location, Some(version)))
}
