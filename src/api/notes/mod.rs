//! Mediation notes: staff only, never clients (every handler takes `Staff`, so a portal client
//! gets 403 on every notes path). One file per action.
//!
//! - Only the author edits a draft (`PATCH`) or signs it; another assigned counselor gets 403.
//! - Signing seals the note for good (`content_sha256`, re-checked on every read as `integrity`).
//! - Any assigned staff member may add an addendum to a signed note; the answer is the whole
//!   note (201, `Location` of the note), audited as an `update` of the note.

pub mod addenda;
pub mod create;
pub mod list;
pub mod read;
pub mod sign;
pub mod update;

use serde::{Deserialize, Deserializer};

use crate::db::AnyConnection;
use crate::domain::text;
use crate::problem::{AppError, FieldError};
use crate::store::notes::{self, NoteRow};
use crate::views::sessions::NoteView;

pub const MAX_BODY: usize = 50_000;
pub const MAX_ITEMS: usize = 50;

/// The note view with its addenda (one more query).
pub(crate) fn view(conn: &mut AnyConnection, row: NoteRow) -> Result<NoteView, AppError> {
    let mut addenda = notes::addenda(conn, std::slice::from_ref(&row.id))?;
    let mine = addenda.remove(&row.id).unwrap_or_default();
    Ok(NoteView::new(row, mine))
}

/// A list of short texts (topics, agreements): at most 50 items of 1..=max characters.
pub(crate) fn items(field: &str, values: &[String], max: usize) -> Result<(), FieldError> {
    if values.len() > MAX_ITEMS {
        return Err(FieldError::new(field, format!("must have at most {MAX_ITEMS} items")));
    }
    for v in values {
        text::required(field, v, max).map_err(|e| FieldError::new(field, format!("every item {}", e.message)))?;
    }
    Ok(())
}

/// Present-null becomes `Some(None)`, so a PATCH can clear a field; absent stays `None`.
pub(crate) fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// The note may only be changed by its author (403 for anyone else who can see it).
pub(crate) fn author_only(note: &NoteRow, user_id: &str) -> Result<(), AppError> {
    if note.author_id == user_id {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

pub(crate) fn signed_conflict() -> AppError {
    AppError::Conflict("The note is signed and locked; add an addendum instead.".into())
}
