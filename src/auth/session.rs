//! Issuing a token pair: one access token and one refresh token of a login (family).

use crate::auth::tokens::{new_opaque, TokenKeys};
use crate::db::AnyConnection;
use crate::domain::Role;
use crate::problem::{AppError, AppResult};
use crate::store::auth::insert_refresh;
use crate::views::identity::TokenPair;

pub fn issue_pair(
    conn: &mut AnyConnection,
    keys: &TokenKeys,
    user_id: &str,
    role: Role,
    practice_id: &str,
    client_id: Option<&str>,
    family_id: &str,
) -> AppResult<TokenPair> {
    let (refresh_token, hash) = new_opaque();
    insert_refresh(conn, practice_id, user_id, family_id, &hash)?;
    let (access_token, expires_in) =
        keys.issue_access(user_id, role, practice_id, client_id, family_id).map_err(AppError::internal)?;
    Ok(TokenPair { access_token, refresh_token, token_type: "Bearer".into(), expires_in })
}
