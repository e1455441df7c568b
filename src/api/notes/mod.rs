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

use crate::db::AnyConnection;
use crate::domain::ids::UserId;
use crate::problem::AppError;
use crate::store::notes::NoteRow;
use crate::views::sessions::{NotePage, NoteView};

/// The note view with its addenda and names (two more statements).
pub(crate) fn view(conn: &mut AnyConnection, row: NoteRow) -> Result<NoteView, AppError> {
    let mut page = NotePage::load(conn, std::slice::from_ref(&row))?;
    Ok(page.view(row))
}

/// The note may only be changed by its author (403 for anyone else who can see it).
pub(crate) fn author_only(note: &NoteRow, user_id: &UserId) -> Result<(), AppError> {
    if note.author_id == *user_id {
        Ok(())
    } else {
        Err(AppError::Forbidden("Only the note's author may change it."))
    }
}

pub(crate) fn signed_conflict() -> AppError {
    AppError::Conflict("The note is signed and locked; add an addendum instead.".into())
}
