//! Boundaries a couple agrees on, and check-ins on whether they were kept.

pub mod check_in_create;
pub mod check_in_list;
pub mod create;
pub mod list;
pub mod read;
pub mod update;

use validator::ValidationError;

use crate::domain::ids::ClientId;
use crate::extract::rule;
use crate::problem::{AppError, AppResult};

pub(crate) use crate::audit::audited_under;

/// What a client id that names no partner of the couple is told (the same for a malformed id).
const NOT_A_PARTNER: &str = "must name partners of this couple";

/// Checks that every id is a partner of the couple (one 422 naming the field otherwise).
pub(crate) fn partners_only<P: PartialEq<ClientId>>(field: &str, ids: &[ClientId], partners: &[P]) -> AppResult<()> {
    if ids.iter().all(|id| partners.iter().any(|p| p == id)) {
        Ok(())
    } else {
        Err(AppError::field(field, NOT_A_PARTNER))
    }
}

/// A partner named in a body: a client id (membership is checked against the couple).
pub(crate) fn partner_rule(id: &str) -> Result<(), ValidationError> {
    id.parse::<ClientId>().map(drop).map_err(|_| rule(NOT_A_PARTNER))
}

/// `responsible_ids`: at least one, no repeats, each a client id (membership is checked
/// against the couple).
pub(crate) fn responsible_rule(ids: &[String]) -> Result<(), ValidationError> {
    let mut unique = ids.to_vec();
    unique.sort();
    unique.dedup();
    if ids.is_empty() {
        Err(rule("must name at least one partner"))
    } else if unique.len() != ids.len() {
        Err(rule("must not repeat a partner"))
    } else {
        ids.iter().try_for_each(|id| partner_rule(id))
    }
}

/// Client ids of a body that passed [`responsible_rule`] / [`partner_rule`].
pub(crate) fn client_ids(field: &str, ids: Vec<String>) -> AppResult<Vec<ClientId>> {
    ids.iter().map(|id| client_id(field, id)).collect()
}

pub(crate) fn client_id(field: &str, id: &str) -> AppResult<ClientId> {
    id.parse().map_err(|_| AppError::field(field, NOT_A_PARTNER))
}
