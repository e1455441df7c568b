//! Mediated letters, the counselor's side: read what partners submitted, return a letter with a
//! comment, or release it to the other partner. The author's side is in `api::portal::letters_*`.
//! Staff never see a draft that was never submitted (the store's staff scope excludes it).

pub mod list;
pub mod read;
pub mod release;
pub mod send_back;

use std::collections::HashMap;

use crate::db::AnyConnection;
use crate::domain::ids::{ClientId, PracticeId};
use crate::domain::letters::LetterStatus;
use crate::problem::{AppError, AppResult};
use crate::store::letters::{self, StaffLetterRow};
use crate::store::names;
use crate::views::letters::StaffLetter;

/// 409 for a move the letter's status does not allow.
pub(crate) fn status_conflict(status: LetterStatus, action: &str) -> AppError {
    match status {
        LetterStatus::Released => AppError::Conflict("The letter is released and locked for good.".into()),
        LetterStatus::Withdrawn => AppError::Conflict("The letter was withdrawn.".into()),
        _ => AppError::Conflict(format!("A letter that is {status} cannot be {action}.")),
    }
}

/// 409 for a version-checked move that found the letter changed since it was read.
pub(crate) fn lost_race() -> AppError {
    AppError::Conflict("The letter changed at the same time; read it again.".into())
}

/// The staff view of a letter, with its revisions and its author's name.
pub(crate) fn staff_view(
    conn: &mut AnyConnection,
    practice: &PracticeId,
    row: StaffLetterRow,
) -> AppResult<StaffLetter> {
    let revisions = letters::revisions(conn, std::slice::from_ref(&row.id))?;
    let names = author_names(conn, practice, std::slice::from_ref(&row))?;
    Ok(StaffLetter::new(row, &revisions, &names))
}

/// The names of the authors of a page of letters (one statement).
pub(crate) fn author_names(
    conn: &mut AnyConnection,
    practice: &PracticeId,
    rows: &[StaffLetterRow],
) -> AppResult<HashMap<ClientId, String>> {
    Ok(names::clients(conn, practice, rows.iter().map(|r| ClientId::from_db(r.author_id.clone())))?)
}
