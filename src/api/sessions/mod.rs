//! Sessions and their shared summaries, one file per action.

pub mod create;
pub mod list;
pub mod read;
pub mod share;
pub mod summary;
pub mod update;

use crate::db::AnyConnection;
use crate::domain::ids::ClientId;
use crate::problem::AppError;
use crate::store::sessions::{SessionRow, Subject};
use crate::views::sessions::{SessionNames, SessionView};

/// The session view with its attendees and counselor named (two more statements).
pub(crate) fn view(conn: &mut AnyConnection, row: SessionRow) -> Result<SessionView, AppError> {
    let mut names = SessionNames::load(conn, std::slice::from_ref(&row))?;
    Ok(names.view(row))
}

/// Attendees: default everyone who may attend; otherwise a non-empty subset of them, no repeats
/// (422 on `attendee_ids` otherwise).
pub(crate) fn attendees(
    requested: Option<Vec<String>>,
    possible: Vec<ClientId>,
    subject: &Subject,
) -> Result<Vec<ClientId>, AppError> {
    let Some(requested) = requested else { return Ok(possible) };
    let which = match subject {
        Subject::Couple(_) => "must be partners of the couple",
        Subject::Client(_) => "must be the session's client",
    };
    if requested.is_empty() {
        return Err(AppError::field("attendee_ids", "must name at least one attendee"));
    }
    let mut ids = Vec::with_capacity(requested.len());
    for id in &requested {
        match possible.iter().find(|p| p.as_str() == id) {
            Some(p) => ids.push(p.clone()),
            None => return Err(AppError::field("attendee_ids", which)),
        }
    }
    let n = ids.len();
    ids.sort();
    ids.dedup();
    if ids.len() != n {
        return Err(AppError::field("attendee_ids", "must not repeat an attendee"));
    }
    Ok(ids)
}

/// OpenAPI schemas of request fields that utoipa's attributes cannot state (constraints on the
/// items of an array), for `#[schema(schema_with = ...)]`.
pub(crate) mod docs {
    use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, ObjectBuilder, SchemaFormat, SchemaType, Type};
    use utoipa::openapi::{RefOr, Schema};

    fn array(items: ObjectBuilder, min: Option<usize>, max: Option<usize>, unique: bool, null: bool) -> RefOr<Schema> {
        let kind = if null { SchemaType::from_iter([Type::Array, Type::Null]) } else { SchemaType::new(Type::Array) };
        ArrayBuilder::new().schema_type(kind).items(items).min_items(min).max_items(max).unique_items(unique).into()
    }

    fn uuid() -> ObjectBuilder {
        ObjectBuilder::new().schema_type(Type::String).format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
    }

    /// Attendees: at least one, no repeats (null: the default).
    pub fn attendee_ids() -> RefOr<Schema> {
        array(uuid(), Some(1), None, true, true)
    }

    /// Counselors of a client: at most 20.
    pub fn client_counselor_ids() -> RefOr<Schema> {
        array(uuid(), None, Some(crate::domain::client::COUNSELORS_MAX), false, false)
    }

    /// Counselors of a couple: 1 to 20.
    pub fn couple_counselor_ids() -> RefOr<Schema> {
        array(uuid(), Some(1), Some(crate::domain::client::COUNSELORS_MAX), false, false)
    }

    /// Exactly two distinct partners.
    pub fn partner_ids() -> RefOr<Schema> {
        array(uuid(), Some(2), Some(2), true, false)
    }
}
