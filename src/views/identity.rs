use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::instant;
use crate::domain::audit::{Action, Outcome};
use crate::domain::ids::{AuditEventId, ClientId, PracticeId, UserId};
use crate::domain::{ResourceKind, Role};
use crate::store::audit::AuditRow;
use crate::store::practices::PracticeRow;
use crate::store::users::UserRow;

#[derive(Serialize, ToSchema)]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
}

impl From<crate::auth::session::Issued> for TokenPair {
    fn from(i: crate::auth::session::Issued) -> TokenPair {
        TokenPair {
            access_token: i.access_token,
            refresh_token: i.refresh_token,
            token_type: "Bearer".into(),
            expires_in: i.expires_in,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MeView {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub practice_id: PracticeId,
    /// The caller's client record; null unless the role is `client`.
    pub client_id: Option<ClientId>,
    /// Whether signing in needs a code from an authenticator app (`POST /me/mfa/totp`).
    pub mfa_enabled: bool,
}

impl MeView {
    pub fn of(u: UserRow, mfa_enabled: bool) -> Self {
        MeView {
            role: u.role,
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            practice_id: u.practice_id,
            client_id: u.client_id,
            mfa_enabled,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UserView {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

impl From<UserRow> for UserView {
    fn from(u: UserRow) -> Self {
        UserView {
            role: u.role,
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            active: u.active,
            created_at: instant(u.created_at),
            version: u.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UserList {
    pub items: Vec<UserView>,
    pub next_cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedUser {
    pub user: UserView,
    /// How the invite reaches the user: `email` (mailed as a link; no token here) or `token`.
    pub delivery: Delivery,
    /// With `delivery: token`: give this to the new user; it is shown once and works once, for
    /// 7 days. Absent when the invite was mailed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invite_token: Option<String>,
    pub invite_expires_at: DateTime<Utc>,
}

/// How an invite reaches its user.
#[derive(Serialize, ToSchema, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// Mailed as a link (mail is configured); the answer carries no token.
    Email,
    /// The answer carries the token, for the caller to pass on (mail is off).
    Token,
}

/// An invite (`POST /clients/{id}/portal-invite`, `POST /users/{id}/invite`).
#[derive(Serialize, ToSchema)]
pub struct InviteView {
    pub delivery: Delivery,
    /// With `delivery: token`: give this to the user; it is shown once and works once, for 7
    /// days, with `POST /api/v1/auth/accept-invite`. Absent when the invite was mailed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invite_token: Option<String>,
    pub expires_at: DateTime<Utc>,
}

/// The answer to a sign-in with the right password when the account has MFA on: no tokens yet.
#[derive(Serialize, ToSchema)]
pub struct MfaChallenge {
    /// Always true.
    pub mfa_required: bool,
    /// For `POST /auth/mfa`, with a code or a recovery code.
    pub mfa_token: String,
    /// Seconds the `mfa_token` stays valid.
    pub expires_in: i64,
}

/// The answer to a sign-in: the token pair, or with MFA on the challenge for `POST /auth/mfa`.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum LoginAnswer {
    Tokens(TokenPair),
    Mfa(MfaChallenge),
}

/// A new TOTP secret, not active until confirmed with a code.
#[derive(Serialize, ToSchema)]
pub struct TotpEnrollment {
    /// The secret in base32, for typing into an authenticator app.
    pub secret: String,
    /// The same as an `otpauth://` URI (what a QR code carries).
    pub otpauth_uri: String,
    /// `otpauth_uri` as a QR code (error correction M), for a page to draw (as SVG) without
    /// another request or an image from elsewhere.
    pub qr: QrMatrix,
}

/// A QR code's modules: `size` rows of `size` characters, `1` dark and `0` light, top row
/// first. A quiet zone of 4 modules belongs around it.
#[derive(Serialize, ToSchema)]
pub struct QrMatrix {
    pub size: usize,
    pub rows: Vec<String>,
}

impl QrMatrix {
    /// The QR code of `text`; `None` when it does not fit one (over ~2 KB).
    pub fn of(text: &str) -> Option<QrMatrix> {
        let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M).ok()?;
        let size = code.width();
        let colors = code.to_colors();
        let rows = colors
            .chunks(size)
            .map(|row| row.iter().map(|c| if *c == qrcode::Color::Dark { '1' } else { '0' }).collect())
            .collect();
        Some(QrMatrix { size, rows })
    }
}

/// Recovery codes: shown once, each works once instead of a code.
#[derive(Serialize, ToSchema)]
pub struct RecoveryCodes {
    pub recovery_codes: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PracticeView {
    pub id: PracticeId,
    pub name: String,
    /// An IANA time zone, such as `America/Chicago`.
    pub timezone: String,
    /// Staff must turn on two-factor sign-in before they can do anything but that.
    pub require_staff_mfa: bool,
    pub version: i64,
}

impl From<PracticeRow> for PracticeView {
    fn from(p: PracticeRow) -> Self {
        PracticeView {
            id: p.id,
            name: p.name,
            timezone: p.timezone,
            require_staff_mfa: p.require_staff_mfa,
            version: p.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AuditEventView {
    pub id: AuditEventId,
    pub at: DateTime<Utc>,
    pub actor_id: Option<UserId>,
    /// The actor's display name; null when there is no actor (a failed sign-in, the system).
    pub actor_name: Option<String>,
    pub actor_role: Option<Role>,
    pub action: Action,
    pub resource_type: ResourceKind,
    pub resource_id: Option<String>,
    pub outcome: Outcome,
    pub request_id: String,
    pub ip: Option<String>,
    /// The clients whose records the event touched (both partners for a couple's record, the
    /// attendees for a session...). Filled when the event is sealed, within about a second of
    /// being written: empty until then, and for events about no client's record.
    pub subject_ids: Vec<String>,
}

impl AuditEventView {
    /// With the actor's name from `names` (a page's worth).
    pub fn with_actor_name(mut self, names: &std::collections::HashMap<UserId, String>) -> Self {
        self.actor_name = self.actor_id.as_ref().and_then(|id| names.get(id)).cloned();
        self
    }

    /// With the event's subjects, sorted.
    pub fn with_subjects(mut self, mut subject_ids: Vec<String>) -> Self {
        subject_ids.sort();
        self.subject_ids = subject_ids;
        self
    }
}

impl From<AuditRow> for AuditEventView {
    fn from(a: AuditRow) -> Self {
        AuditEventView {
            id: a.id,
            at: instant(a.at),
            actor_id: a.actor_id,
            actor_name: None,
            actor_role: a.actor_role,
            action: a.action,
            resource_type: a.resource_type,
            resource_id: a.resource_id,
            outcome: a.outcome,
            request_id: a.request_id,
            ip: a.ip,
            subject_ids: Vec::new(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AuditEventList {
    pub items: Vec<AuditEventView>,
    pub next_cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: String,
}

#[cfg(test)]
mod tests {
    use super::QrMatrix;

    #[test]
    fn a_qr_matrix_is_square_with_finder_patterns() {
        let qr =
            QrMatrix::of("otpauth://totp/Mend%3Aa%40example.org?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Mend")
                .unwrap();
        assert_eq!(qr.rows.len(), qr.size);
        assert!(qr.rows.iter().all(|r| r.len() == qr.size && r.chars().all(|c| c == '0' || c == '1')));
        // The top-left finder pattern: a dark 7-module row, then dark, 5 light, dark.
        assert_eq!(&qr.rows[0][..7], "1111111");
        assert_eq!(&qr.rows[1][..7], "1000001");
        assert_eq!((qr.size - 17) % 4, 0, "a QR version's size is 17 + 4v");
    }
}
