//! Webhooks: the event types integrators subscribe to, which audited change emits which
//! event, and the rules a webhook URL must follow (the SSRF guard).

use std::borrow::Cow;
use std::net::IpAddr;

use utoipa::openapi::schema::{ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::RefOr;
use validator::ValidationError;

use crate::domain::audit::Action;
use crate::domain::rules::rule;
use crate::domain::ResourceKind;

crate::typed_ids! {
    /// A webhook: one integrator endpoint of a practice.
    WebhookId;
    /// One attempt to deliver an event to a webhook.
    WebhookDeliveryId;
    /// An event of the outbox (the `webhook-id` header: the same on every attempt).
    WebhookEventId;
}

crate::vocabulary! {
    /// What happened, as an integrator subscribes to it. Each is emitted in the transaction of
    /// the change, once: `*.created` on creation; `session.updated` on any change of the session
    /// record (`PATCH`, and a summary written, which un-shares it); `summary.shared`,
    /// `note.signed`, `letter.released`, `release.disclosed` when that happens;
    /// `boundary.activated` when a boundary becomes active (the last partner's acknowledgement,
    /// or a counselor setting it); `milestone.achieved` when a milestone becomes achieved;
    /// `activity.logged` for each log; `assessment.completed` when answered;
    /// `release.authorized` when the last required client authorizes; `audit.checkpoint` when the
    /// sealer signs a checkpoint of the audit trail (`data` then carries the checkpoint itself:
    /// `origin`, `size`, `hash`, `key_id` and the signed `note`). Otherwise `data` holds ids only:
    /// `practice_id`, the resource's `id`, and where it has them `couple_id`, `client_id`, a
    /// note's `session_id`, a log's `activity_id`.
    pub enum EventType {
        ClientCreated = "client.created",
        CoupleCreated = "couple.created",
        SessionCreated = "session.created",
        SessionUpdated = "session.updated",
        SummaryShared = "summary.shared",
        NoteSigned = "note.signed",
        BoundaryActivated = "boundary.activated",
        MilestoneAchieved = "milestone.achieved",
        LetterReleased = "letter.released",
        ActivityLogged = "activity.logged",
        AssessmentCompleted = "assessment.completed",
        ReleaseAuthorized = "release.authorized",
        ReleaseDisclosed = "release.disclosed",
        AuditCheckpoint = "audit.checkpoint",
    }
}

crate::vocabulary! {
    /// Where one delivery attempt stands.
    pub enum DeliveryStatus { Pending = "pending", Succeeded = "succeeded", Failed = "failed" }
}

impl EventType {
    /// The event a successful audited write emits by itself, if any: each of these actions
    /// happens at most once per resource (a create; a sign, release, response or disclosure
    /// that its handler allows only once), or is an update of the session record (`PATCH`, and
    /// `PUT /summary`, which also un-shares a shared summary). `summary.shared`,
    /// `boundary.activated`, `milestone.achieved` and `release.authorized` are transitions: a
    /// share of a summary already shared, an acknowledgement that leaves a boundary proposed, an
    /// edit of a milestone or an authorization that leaves a release pending emit nothing. Their
    /// handlers emit them ([`crate::store::outbox::emit_event`]) when the state changes.
    pub fn of(action: Action, kind: ResourceKind) -> Option<EventType> {
        use {Action as A, EventType as E, ResourceKind as K};
        Some(match (action, kind) {
            (A::Create, K::Client) => E::ClientCreated,
            (A::Create, K::Couple) => E::CoupleCreated,
            (A::Create, K::Session) => E::SessionCreated,
            (A::Update, K::Session) => E::SessionUpdated,
            (A::Sign, K::Note) => E::NoteSigned,
            (A::Release, K::Letter) => E::LetterReleased,
            (A::Log, K::ActivityLog) => E::ActivityLogged,
            (A::Respond, K::Assessment) => E::AssessmentCompleted,
            (A::Disclose, K::Release) => E::ReleaseDisclosed,
            _ => return None,
        })
    }
}

/// The longest URL a webhook may have.
pub const URL_MAX: usize = 2000;

/// A webhook URL's shape: an absolute `http(s)` URL with a host and no user name or password,
/// at most 2,000 characters. Whether `http` and private addresses are allowed is [`policy`]'s
/// business (it depends on `MEND_WEBHOOK_ALLOW_INSECURE`).
pub struct WebhookUrl;

impl WebhookUrl {
    pub fn parse(value: &str) -> Result<reqwest::Url, Cow<'static, str>> {
        if value.chars().count() > URL_MAX {
            return Err(format!("must be at most {URL_MAX} characters").into());
        }
        let url = reqwest::Url::parse(value).map_err(|_| "must be an absolute https:// URL")?;
        if !matches!(url.scheme(), "https" | "http") || url.host().is_none() {
            return Err("must be an absolute https:// URL".into());
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("must not hold a user name or password".into());
        }
        Ok(url)
    }

    pub fn check(value: &str) -> Result<(), ValidationError> {
        WebhookUrl::parse(value).map(drop).map_err(rule)
    }
}

impl utoipa::PartialSchema for WebhookUrl {
    fn schema() -> RefOr<utoipa::openapi::schema::Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::Custom("uri".into())))
            .pattern(Some(URL_PATTERN))
            .max_length(Some(URL_MAX))
            .description(Some(
                "Where deliveries are POSTed: `https://`, not resolving to a loopback, private, link-local, \
                 multicast or unspecified address (checked on registration and before each delivery).",
            ))
            .into()
    }
}

impl utoipa::ToSchema for WebhookUrl {}

/// What the schema promises to accept: `https://`, a lower-case host name (never `localhost`),
/// an optional simple path.
const URL_PATTERN: &str = r"^https://(?!([a-z0-9-]+\.)*localhost(/|$))([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(/[A-Za-z0-9._~-]*)*$";

/// Does `value` have the shape the schema's `pattern` ([`URL_PATTERN`]) states? The same rule,
/// written out because the `regex` crate has no look-ahead: `https://`, two or more dot-separated
/// labels of `a-z`, `0-9` and inner `-` (1..63 each), the last of 2..63 letters and not
/// `localhost`, then nothing but `/` and `A-Za-z0-9._~-`: no port, user, query or fragment.
/// Without `MEND_WEBHOOK_ALLOW_INSECURE` a URL must have it, so that what the server accepts is
/// what the published schema says (schemathesis holds the two together).
pub fn fits_schema(value: &str) -> bool {
    let Some(rest) = value.strip_prefix("https://") else { return false };
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let Some((names, tld)) = host.rsplit_once('.') else { return false };
    let label = |l: &str| {
        (1..=63).contains(&l.len())
            && l.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    names.split('.').all(label)
        && (2..=63).contains(&tld.len())
        && tld.bytes().all(|b| b.is_ascii_lowercase())
        && tld != "localhost"
        && path.bytes().all(|b| b.is_ascii_alphanumeric() || b"/._~-".contains(&b))
}

/// What a URL without the schema's shape is told.
pub const NOT_SHAPED: &str =
    "must be https:// with a lower-case host name and a path of letters, digits, '.', '_', '~' and '-' (no port, query or fragment)";

/// The SSRF rule on a parsed URL, before any name is resolved: `https` only, and a literal
/// address or `localhost` must be public. `allow_insecure` lifts both rules.
pub fn policy(url: &reqwest::Url, allow_insecure: bool) -> Result<(), &'static str> {
    if allow_insecure {
        return Ok(());
    }
    if url.scheme() != "https" {
        return Err("must be an https:// URL");
    }
    match url.host() {
        Some(url::Host::Ipv4(ip)) if !is_public(IpAddr::V4(ip)) => Err(NOT_PUBLIC),
        Some(url::Host::Ipv6(ip)) if !is_public(IpAddr::V6(ip)) => Err(NOT_PUBLIC),
        Some(url::Host::Domain(name)) if is_local_name(name) => Err(NOT_PUBLIC),
        Some(_) => Ok(()),
        None => Err("must be an absolute https:// URL"),
    }
}

pub const NOT_PUBLIC: &str = "must not point to a loopback, private, link-local, multicast or unspecified address";

fn is_local_name(name: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost")
}

/// Is this an address a webhook may be delivered to? Not loopback, private (RFC 1918, unique
/// local), link-local, multicast, unspecified, broadcast, shared (100.64/10), documentation or
/// reserved; an IPv4-mapped or -compatible IPv6 address is judged as its IPv4 address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_multicast()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || a == 0
                || a >= 240
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0 && v4.octets()[2] == 0)
                || (a == 198 && (b == 18 || b == 19)))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let seg = v6.segments();
            // ::a.b.c.d (deprecated IPv4-compatible), but not :: and ::1 (handled below).
            if seg[..6].iter().all(|s| *s == 0) && !(v6.is_unspecified() || v6.is_loopback()) {
                let [_, _, _, _, _, _, hi, lo] = seg;
                let v4 = std::net::Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8);
                return is_public(IpAddr::V4(v4));
            }
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (seg[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (seg[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (seg[0] & 0xffc0) == 0xfec0 // site-local fec0::/10 (deprecated)
                || (seg[0] == 0x2001 && seg[1] == 0x0db8) // documentation
                || (seg[0] == 0x0064 && seg[1] == 0xff9b)) // NAT64 (reaches IPv4 behind it)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "224.0.0.1",
            "0.0.0.0",
            "100.64.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fc00::1",
            "fd12:3456::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::a00:1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "::ffff:93.184.216.34"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    /// The cases were also run through the schema's own pattern with Python's `re` (which has
    /// look-ahead) on 2026-12-02, with the same answers.
    #[test]
    fn the_hand_written_shape_is_the_schema_pattern() {
        for ok in [
            "https://hooks.example.com",
            "https://hooks.example.com/",
            "https://hooks.example.com/mend/in_1.x~-",
            "https://a.bc",
            "https://x-1.y2.example.org//a",
            "https://localhost.example.com/x",
        ] {
            assert!(fits_schema(ok), "{ok}");
        }
        for bad in [
            "https://ouc2s.net*",
            "https://Hooks.example.com/x",
            "https://hooks.example.com:8443/x",
            "https://hooks.example.com/x?y=1",
            "https://hooks.example.com/x#y",
            "https://hooks.example.com/a%20b",
            "https://93.184.216.34/x",
            "https://[2606:4700::1111]/x",
            "https://example",
            "https://example.c",
            "https://example.c0m",
            "https://-a.example.com",
            "https://a-.example.com",
            "https://a..example.com",
            "https://.example.com",
            "https://example.com.",
            "https://a.localhost",
            "https://a.localhost/x",
            "https://u@example.com",
            "http://hooks.example.com",
            "https://",
            "",
        ] {
            assert!(!fits_schema(bad), "{bad}");
        }
        let long = format!("https://{}.com", "a".repeat(64));
        assert!(!fits_schema(&long));
        assert!(fits_schema(&format!("https://{}.com", "a".repeat(63))));
    }

    #[test]
    fn urls() {
        let ok = |u: &str| policy(&WebhookUrl::parse(u).unwrap(), false);
        assert!(ok("https://hooks.example.com/mend").is_ok());
        assert!(ok("http://hooks.example.com/mend").is_err());
        assert!(ok("https://127.0.0.1/x").is_err());
        assert!(ok("https://[::1]/x").is_err());
        assert!(ok("https://[::ffff:7f00:1]/x").is_err());
        assert!(ok("https://localhost:8443/x").is_err());
        assert!(ok("https://10.0.0.8/x").is_err());
        assert!(policy(&WebhookUrl::parse("http://127.0.0.1:9/x").unwrap(), true).is_ok());
        assert!(WebhookUrl::parse("ftp://example.com/").is_err());
        assert!(WebhookUrl::parse("https://user:pw@example.com/").is_err());
        assert!(WebhookUrl::parse("/relative").is_err());
    }

    #[test]
    fn events_of_actions() {
        assert_eq!(EventType::of(Action::Create, ResourceKind::Client), Some(EventType::ClientCreated));
        assert_eq!(EventType::of(Action::Read, ResourceKind::Client), None);
        assert_eq!(EventType::of(Action::Create, ResourceKind::Webhook), None);
        // Transitions are emitted by their handlers, not by the action.
        assert_eq!(EventType::of(Action::Share, ResourceKind::Session), None);
        assert_eq!(EventType::of(Action::Acknowledge, ResourceKind::Boundary), None);
        assert_eq!(EventType::of(Action::Authorize, ResourceKind::Release), None);
        assert_eq!(EventType::of(Action::Update, ResourceKind::Milestone), None);
    }
}

crate::checked_text! {
    /// What a webhook is for, as admins see it: 1 to 500 characters, not blank.
    WebhookDescription: max 500, not_blank;
}
