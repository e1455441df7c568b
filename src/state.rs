//! What every handler shares.

use std::sync::Arc;

use crate::auth::password::Passwords;
use crate::auth::sealed::SealKey;
use crate::auth::tokens::TokenKeys;
use crate::config::Config;
use crate::db::Db;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub tokens: TokenKeys,
    pub passwords: Passwords,
    /// Seals TOTP secrets at rest (derived from `MEND_JWT_SECRET`).
    pub sealing: SealKey,
    pub config: Arc<Config>,
}
