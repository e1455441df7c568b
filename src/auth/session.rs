//! Issuing a token pair: one access token and one refresh token of a login (family).

use crate::auth::tokens::{new_opaque, TokenKeys};
use crate::db::AnyConnection;
use crate::domain::Role;
use crate::problem::{AppError, AppResult};
use crate::store::auth::insert_refresh;
use crate::store::mfa::enrollment_due;

/// A new token pair, as the API answers it (`views::identity::TokenPair`).
pub struct Issued {
    pub access_token: String,
    pub refresh_token: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
}

pub fn issue_pair(
    conn: &mut AnyConnection,
    keys: &TokenKeys,
    user_id: &str,
    role: Role,
    practice_id: &str,
    client_id: Option<&str>,
    family_id: &str,
) -> AppResult<Issued> {
    let (refresh_token, hash) = new_opaque();
    insert_refresh(conn, practice_id, user_id, family_id, &hash)?;
    let mfa_due = role.is_staff() && enrollment_due(conn, user_id)?;
    let (access_token, expires_in) = keys
        .issue_access_with(user_id, role, practice_id, client_id, family_id, mfa_due)
        .map_err(AppError::internal)?;
    Ok(Issued { access_token, refresh_token, expires_in })
}
