//! Boundaries a couple agrees on, and check-ins on whether they were kept.

pub mod check_in_create;
pub mod check_in_list;
pub mod create;
pub mod list;
pub mod read;
pub mod update;

use crate::problem::{AppError, AppResult};

pub(crate) use crate::audit::audited_under;

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
