//! Boundaries a couple agrees on, and check-ins on whether they were kept.

pub mod check_in_create;
pub mod check_in_list;
pub mod create;
pub mod list;
pub mod read;
pub mod update;

use crate::audit::{record, Outcome, Target};
use crate::auth::Actor;
use crate::db::{write_tx, AnyConnection};
use crate::problem::{AppError, AppResult};

/// Like [`crate::audit::audited`], for work that creates a child of a parent the caller must
/// be able to see: success is recorded on the new resource; a denial (the parent is not
/// visible) on the parent's id, the resource the caller asked for.
pub(crate) fn audited_under<T>(
    conn: &mut AnyConnection,
    actor: &Actor,
    target: Target<'_>,
    parent: Target<'_>,
    work: impl FnOnce(&mut AnyConnection) -> AppResult<T>,
) -> AppResult<T> {
    let ctx = actor.audit_context();
    let result = write_tx(conn, |c| {
        let value = work(c)?;
        record(c, &ctx, target.action, target.resource_type, target.resource_id, Outcome::Success)?;
        Ok(value)
    });
    if let Err(AppError::NotFound) = result {
        record(conn, &ctx, parent.action, parent.resource_type, parent.resource_id, Outcome::Denied)?;
    }
    result
}

/// Checks that every id is a partner of the couple (one 422 naming the field otherwise).
pub(crate) fn partners_only(field: &str, ids: &[String], partners: &[String]) -> AppResult<()> {
    if ids.iter().all(|id| partners.contains(id)) {
        Ok(())
    } else {
        Err(AppError::field(field, "must name partners of this couple"))
    }
}

/// `responsible_ids`: at least one, no repeats (membership is checked against the couple).
pub(crate) fn responsible_shape(ids: &[String]) -> Result<(), crate::problem::FieldError> {
    let mut unique = ids.to_vec();
    unique.sort();
    unique.dedup();
    if ids.is_empty() {
        Err(crate::problem::FieldError::new("responsible_ids", "must name at least one partner"))
    } else if unique.len() != ids.len() {
        Err(crate::problem::FieldError::new("responsible_ids", "must not repeat a partner"))
    } else {
        Ok(())
    }
}
