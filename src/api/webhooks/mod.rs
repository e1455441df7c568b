//! Handlers for webhooks (admins only), one file per action.

pub mod create;
pub mod delete;
pub mod deliveries;
pub mod list;
pub mod read;
pub mod retry;
pub mod rotate;
pub mod update;

use crate::domain::webhooks::{fits_schema, policy, EventType, WebhookUrl, NOT_SHAPED};
use crate::problem::{AppError, AppResult};

/// A URL that passed the request's shape check, against the SSRF rule and then (unless insecure
/// URLs are allowed) the schema's pattern (422 on `url`).
pub(crate) fn checked_url(url: &str, allow_insecure: bool) -> AppResult<String> {
    let parsed = WebhookUrl::parse(url).map_err(|m| AppError::field("url", m))?;
    policy(&parsed, allow_insecure).map_err(|m| AppError::field("url", m))?;
    if !allow_insecure && !fits_schema(url) {
        return Err(AppError::field("url", NOT_SHAPED));
    }
    Ok(url.to_string())
}

/// The types, each once, in the order sent.
pub(crate) fn unique(types: Vec<EventType>) -> Vec<EventType> {
    let mut out = Vec::with_capacity(types.len());
    for t in types {
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// `event_types`: 1 to 13 items.
pub(crate) fn event_types_rule(types: &[EventType]) -> Result<(), validator::ValidationError> {
    if types.is_empty() || types.len() > EventType::ALL.len() {
        return Err(crate::extract::rule(format!("must hold 1 to {} event types", EventType::ALL.len())));
    }
    Ok(())
}
