//! The couple's confidentiality policy: versioned, each version signed by every partner in the
//! portal (`api::portal::consents_sign`).

pub mod put;
pub mod read;

use crate::db::AnyConnection;
use crate::problem::AppResult;
use crate::store::{consent, couples};
use crate::views::consent::PolicyView;

/// The policy view of one version: its signatures and whether every partner has signed.
pub(crate) fn view(conn: &mut AnyConnection, row: consent::PolicyRow) -> AppResult<PolicyView> {
    let signatures = consent::signatures(conn, &row.id)?;
    let partners = couples::partners_of(conn, &row.couple_id)?;
    Ok(PolicyView::new(row, signatures, &partners))
}
