//! Shared activities, the counselor's side: the built-in library, a couple's activities, and
//! logs recorded in session. Partners see and log theirs through `api::portal::activities_*`.

pub mod create;
pub mod from_template;
pub mod list;
pub mod log_create;
pub mod log_list;
pub mod read;
pub mod templates;
pub mod update;

use chrono::NaiveDate;

use crate::db::AnyConnection;
use crate::domain::activities::{self, Assignee};
use crate::domain::date;
use crate::domain::ids::PracticeId;
use crate::problem::{AppError, AppResult, FieldError};
use crate::store::{couples, practices};

/// `assigned_to` names both partners or one partner of this couple (422 otherwise).
pub(crate) fn check_assignee(conn: &mut AnyConnection, couple_id: &str, who: &Assignee) -> AppResult<()> {
    if let Assignee::Partner(id) = who {
        if !couples::partners_of(conn, couple_id)?.contains(id) {
            return Err(AppError::field("assigned_to", "must be \"both\" or a partner of this couple"));
        }
    }
    Ok(())
}

/// Today in the practice's time zone: the day a log may not come after.
pub(crate) fn practice_today(conn: &mut AnyConnection, practice_id: &str) -> AppResult<NaiveDate> {
    let practice_id = PracticeId::from_db(practice_id.to_string());
    Ok(crate::domain::trust::today_in(&practices::own(conn, &practice_id)?.timezone))
}

/// A stored `YYYY-MM-DD` (written by Mend, so it parses; a bad one is an internal error).
pub(crate) fn stored_day(value: &str) -> AppResult<NaiveDate> {
    date::parse("date", value).map_err(|_| AppError::internal("a stored date does not parse"))
}

/// Checks a log's day against the activity's window and today: one 422 on `done_on`.
pub(crate) fn check_log_day(
    conn: &mut AnyConnection,
    practice_id: &str,
    done_on: NaiveDate,
    starts_on: &str,
    ends_on: Option<&str>,
) -> AppResult<()> {
    let today = practice_today(conn, practice_id)?;
    let ends_on = ends_on.map(stored_day).transpose()?;
    activities::log_day(done_on, stored_day(starts_on)?, ends_on, today).map_err(|e| AppError::Validation(vec![e]))
}

/// Parses a request's date field, or its error.
pub(crate) fn day(field: &str, value: &str) -> Result<NaiveDate, FieldError> {
    date::parse(field, value)
}
