use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::audit::{audited, Action, Target};
use crate::auth::Staff;
use crate::db::new_id;
use crate::domain::client::{self as rules, NAME_MAX};
use crate::domain::ResourceKind;
use crate::domain::{date, text, Role};
use crate::http::{created, API};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::clients::{self, NewClient};
use crate::views::clients::{client_view, ClientView};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateClientRequest {
    /// 1 to 100 characters, not blank; stored exactly as sent.
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub first_name: String,
    /// 1 to 100 characters, not blank; stored exactly as sent.
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub last_name: String,
    /// 1 to 100 characters when given, not blank.
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub preferred_name: Option<String>,
    /// 1 to 100 characters when given, not blank.
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub pronouns: Option<String>,
    /// `YYYY-MM-DD`, a real date, not in the future.
    #[schema(format = Date, pattern = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub date_of_birth: Option<String>,
    /// Stored lower-cased; becomes the portal login when the client is invited.
    #[schema(
        max_length = 254,
        pattern = r"^[^@\s\x00-\x1f\x7f-\x9f]+@[^@\s.\x00-\x1f\x7f-\x9f][^@\s\x00-\x1f\x7f-\x9f]*\.[^@\s\x00-\x1f\x7f-\x9f]*[^@\s.\x00-\x1f\x7f-\x9f]$"
    )]
    pub email: Option<String>,
    /// 1 to 40 characters when given, not blank.
    #[schema(min_length = 1, max_length = 40, pattern = r"\S")]
    pub phone: Option<String>,
}

impl CreateClientRequest {
    /// Checks every field at once (one 422 naming each bad field).
    fn parse(self, id: String) -> AppResult<NewClient> {
        let email = rules::email("email", self.email.as_deref());
        let dob = self.date_of_birth.as_deref().map(|d| date::past("date_of_birth", d, date::today())).transpose();
        text::collect([
            rules::name("first_name", &self.first_name),
            rules::name("last_name", &self.last_name),
            rules::optional("preferred_name", self.preferred_name.as_deref(), NAME_MAX),
            rules::optional("pronouns", self.pronouns.as_deref(), NAME_MAX),
            dob.as_ref().map(|_| ()).map_err(Clone::clone),
            email.as_ref().map(|_| ()).map_err(Clone::clone),
            rules::phone("phone", self.phone.as_deref()),
        ])?;
        Ok(NewClient {
            id,
            first_name: self.first_name,
            last_name: self.last_name,
            preferred_name: self.preferred_name,
            pronouns: self.pronouns,
            date_of_birth: dob.map_err(|e| AppError::Validation(vec![e]))?,
            email: email.map_err(|e| AppError::Validation(vec![e]))?,
            phone: self.phone,
        })
    }
}

/// Add a client to the practice. A counselor who creates a client is assigned to it.
#[utoipa::path(post, path = "/api/v1/clients", tag = "clients", request_body = CreateClientRequest,
    responses((status = 201, body = ClientView, headers(("Location" = String), ("ETag" = String)))))]
pub async fn create(
    staff: Staff,
    state: web::Data<AppState>,
    body: web::Json<CreateClientRequest>,
) -> AppResult<HttpResponse> {
    let id = new_id();
    let new = body.into_inner().parse(id.clone())?;
    let view = state
        .db
        .run(move |conn| {
            audited(conn, &staff, Target::new(Action::Create, ResourceKind::Client, Some(&id)), |conn| {
                clients::create(conn, &staff.practice_id, &new)?;
                if staff.role == Role::Counselor {
                    clients::assign(conn, &staff.practice_id, &id, &staff.user_id)?;
                }
                let row = clients::find_visible(conn, &staff, &id)?.ok_or(AppError::NotFound)?;
                Ok(client_view(conn, row)?)
            })
        })
        .await?;
    let location = format!("{API}/clients/{}", view.id);
    let version = view.version;
    Ok(created(&view, location, Some(version)))
}
