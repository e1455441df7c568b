//! Handlers for webhooks (admins only), one file per action.

pub mod create;
pub mod delete;
pub mod deliveries;
pub mod list;
pub mod read;
pub mod retry;
pub mod rotate;
pub mod update;

use crate::domain::webhooks::{fits_schema, is_public, policy, EventType, WebhookUrl, NOT_PUBLIC, NOT_SHAPED};
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

/// How long registration waits for a host name to resolve.
const RESOLVE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// The host name resolved now, at registration: 422 on `url` when any address it resolves to is
/// not public (`https://localtest.me/h` resolves to 127.0.0.1). A name that does not resolve (yet)
/// is taken: every delivery resolves it again and refuses it then. Nothing is checked when
/// insecure URLs are allowed.
pub(crate) async fn resolves_public(url: &str, allow_insecure: bool) -> AppResult<()> {
    if allow_insecure {
        return Ok(());
    }
    let Ok(parsed) = reqwest::Url::parse(url) else { return Ok(()) };
    let Some(url::Host::Domain(host)) = parsed.host() else { return Ok(()) };
    let lookup = tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host((host, 443))).await;
    match lookup {
        Ok(Ok(addrs)) => public_only(&addrs.map(|a| a.ip()).collect::<Vec<_>>()),
        _ => Ok(()),
    }
}

/// 422 on `url` unless every address is public.
fn public_only(addrs: &[std::net::IpAddr]) -> AppResult<()> {
    if addrs.iter().all(|a| is_public(*a)) {
        Ok(())
    } else {
        Err(AppError::field("url", NOT_PUBLIC))
    }
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

#[cfg(test)]
mod tests {
    use super::public_only;

    /// A name is judged by every address it resolves to: one private address among public ones
    /// is enough to refuse it.
    #[test]
    fn a_name_resolving_to_any_private_address_is_refused() {
        let ips = |list: &[&str]| list.iter().map(|s| s.parse().unwrap()).collect::<Vec<std::net::IpAddr>>();
        assert!(public_only(&ips(&["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"])).is_ok());
        for bad in [&["127.0.0.1"][..], &["93.184.215.14", "10.0.0.7"], &["::1"], &["169.254.169.254"]] {
            assert!(public_only(&ips(bad)).is_err(), "{bad:?}");
        }
    }

    /// Nothing is looked up when insecure URLs are allowed, and a name that does not resolve is
    /// taken (delivery resolves it again).
    #[tokio::test]
    async fn unresolvable_names_are_taken_and_insecure_skips_the_lookup() {
        assert!(super::resolves_public("https://localhost.invalid/h", true).await.is_ok());
        assert!(super::resolves_public("https://no-such-host.invalid/h", false).await.is_ok());
    }
}
