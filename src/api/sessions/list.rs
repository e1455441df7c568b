use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use validator::Validate;

use crate::audit::{self, Action};
use crate::auth::Staff;
use crate::domain::calendar::CalendarBound;
use crate::domain::ids::{ClientId, CoupleId, UserId};
use crate::domain::session::SessionStatus;
use crate::domain::value::parsed;
use crate::domain::value_sessions::{reference, uuid_text};
use crate::domain::ResourceKind;
use crate::extract::ValidQuery;
use crate::pagination::PageRequest;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::sessions::{self, ListFilter};
use crate::views::sessions::{SessionList, SessionNames};

#[derive(Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListSessionsQuery {
    #[validate(custom(function = "uuid_text"))]
    #[param(value_type = Option<CoupleId>)]
    pub couple_id: Option<String>,
    #[validate(custom(function = "uuid_text"))]
    #[param(value_type = Option<ClientId>)]
    pub client_id: Option<String>,
    #[validate(custom(function = "uuid_text"))]
    #[param(value_type = Option<UserId>)]
    pub counselor_id: Option<String>,
    pub status: Option<SessionStatus>,
    /// Sessions starting at or after this instant, or on or after this date (`YYYY-MM-DD`, in
    /// the practice's time zone).
    #[validate(custom(function = "CalendarBound::check"))]
    #[param(value_type = Option<CalendarBound>)]
    pub from: Option<String>,
    /// Sessions starting before this instant, or on or before this date (`YYYY-MM-DD`, in the
    /// practice's time zone: the whole day is included).
    #[validate(custom(function = "CalendarBound::check"))]
    #[param(value_type = Option<CalendarBound>)]
    pub to: Option<String>,
    /// 1 to 100, default 25.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The filter, and its calendar bounds before they are read in the practice's time zone.
struct Calendar {
    filter: ListFilter,
    from: Option<CalendarBound>,
    to: Option<CalendarBound>,
}

impl TryFrom<ListSessionsQuery> for Calendar {
    type Error = AppError;
    fn try_from(q: ListSessionsQuery) -> AppResult<Calendar> {
        fn id<T: std::str::FromStr>(field: &str, v: Option<String>) -> AppResult<Option<T>> {
            v.map(|v| reference(field, &v)).transpose()
        }
        let at = |field: &str, v: Option<String>| v.map(|v| parsed(field, CalendarBound::parse(&v))).transpose();
        Ok(Calendar {
            filter: ListFilter {
                couple_id: id("couple_id", q.couple_id)?,
                client_id: id("client_id", q.client_id)?,
                counselor_id: id("counselor_id", q.counselor_id)?,
                status: q.status,
                from: None,
                to: None,
            },
            from: at("from", q.from)?,
            to: at("to", q.to)?,
        })
    }
}

impl Calendar {
    /// The filter with its bounds as instants: a date is read in the practice's time zone (one
    /// query, only when a date was given).
    fn resolve(self, conn: &mut crate::db::AnyConnection, staff: &crate::auth::Actor) -> AppResult<ListFilter> {
        let Calendar { mut filter, from, to } = self;
        let zone = if from.is_some_and(|b| b.is_day()) || to.is_some_and(|b| b.is_day()) {
            crate::store::practices::own(conn, &staff.practice_id)?.timezone
        } else {
            String::new()
        };
        filter.from = from.map(|b| b.start(&zone));
        filter.to = to.map(|b| b.end(&zone));
        Ok(filter)
    }
}

/// 404 unless the caller may see every record the filter names: the couple, the client, and a
/// counselor of their own practice.
fn filters_visible(
    conn: &mut crate::db::AnyConnection,
    staff: &crate::auth::Actor,
    filter: &ListFilter,
) -> AppResult<()> {
    use crate::auth::access::{client_visible, couple_visible};
    let couple_ok = match &filter.couple_id {
        Some(id) => couple_visible(conn, staff, id)?,
        None => true,
    };
    let client_ok = match &filter.client_id {
        Some(id) => client_visible(conn, staff, id)?,
        None => true,
    };
    let counselor_ok = match &filter.counselor_id {
        Some(id) => crate::store::users::find_in_practice(conn, &staff.practice_id, id)
            .map(|u| u.role.is_staff())
            .or_else(|e| if e == diesel::result::Error::NotFound { Ok(false) } else { Err(e) })?,
        None => true,
    };
    if couple_ok && client_ok && counselor_ok {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Sessions on the caller's caseload, ordered by starts_at, id. A `couple_id`, `client_id` or
/// `counselor_id` the caller may not see is a 404.
#[utoipa::path(get, path = "/api/v1/sessions", tag = "sessions", params(ListSessionsQuery),
    responses((status = 200, body = SessionList)))]
pub async fn list(
    state: web::Data<AppState>,
    staff: Staff,
    query: ValidQuery<ListSessionsQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let page = PageRequest::parse("sessions", 2, q.limit, q.cursor.as_deref())?;
    let calendar = Calendar::try_from(q)?;
    // The record a filter names is the list's subject: its id goes into the audit event, and a
    // filter naming what the caller may not see is a 404 (a denial), never an empty list.
    let named = calendar
        .filter
        .couple_id
        .as_ref()
        .map(|c| c.to_string())
        .or_else(|| calendar.filter.client_id.as_ref().map(|c| c.to_string()));
    let page = audit::read(&state.db, staff.0, Action::List, ResourceKind::Session, named, move |conn, staff| {
        filters_visible(conn, staff, &calendar.filter)?;
        let filter = calendar.resolve(conn, staff)?;
        let rows = sessions::list(conn, staff, &filter, &page)?;
        let mut names = SessionNames::load(conn, &rows)?;
        Ok(page.finish(rows, sessions::list_key, |r| names.view(r)))
    })
    .await?;
    Ok(HttpResponse::Ok().json(SessionList { items: page.items, next_cursor: page.next_cursor }))
}
