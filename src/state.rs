//! What every handler shares.

use std::sync::Arc;

use crate::auth::password::Passwords;
use crate::auth::tokens::TokenKeys;
use crate::config::Config;
use crate::db::Db;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub tokens: TokenKeys,
    pub passwords: Passwords,
    pub config: Arc<Config>,
}
