//! Releases of records: created by an assigned counselor, authorized (or revoked) by the
//! clients whose records they cover in the portal (`api::portal::releases_*`), disclosed by an
//! assigned counselor, and accounted for per client.

pub mod create;
pub mod disclose;
pub mod disclosures;
pub mod document;
pub mod list;
pub mod read;

use crate::db::AnyConnection;
use crate::domain::date;
use crate::problem::AppResult;
use crate::store::releases::{self, ReleaseRow};
use crate::views::releases::ReleaseView;

/// The staff view of one release, with its authorizers.
pub(crate) fn view(conn: &mut AnyConnection, row: ReleaseRow) -> AppResult<ReleaseView> {
    let auths = releases::authorizers(conn, std::slice::from_ref(&row.id))?;
    Ok(ReleaseView::new(row, &auths, date::today()))
}
