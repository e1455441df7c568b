//! The confidentiality policy as assigned staff see it (every partner's signature of the
//! current version) and as a partner sees it in the portal (their own signature only).

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::instant;
use crate::domain::consent::PolicyKind;
use crate::store::consent::{PolicyRow, SignatureRow};

#[derive(Serialize, ToSchema)]
pub struct PolicySignature {
    pub client_id: String,
    pub signed_at: DateTime<Utc>,
    /// The name the partner typed.
    pub signed_name: String,
    /// The version signed.
    pub version: i64,
    /// SHA-256 (hex) of the exact text signed.
    pub text_sha256: String,
}

#[derive(Serialize, ToSchema)]
pub struct PolicyView {
    pub couple_id: String,
    pub kind: PolicyKind,
    pub text: String,
    /// SHA-256 (hex) of `text`.
    pub text_sha256: String,
    /// Each change makes a new version, which every partner signs again.
    pub version: i64,
    /// Signatures of this version, earliest first.
    pub signatures: Vec<PolicySignature>,
    /// Every partner has signed this version.
    pub fully_signed: bool,
    /// When this version was made.
    pub updated_at: DateTime<Utc>,
}

impl PolicyView {
    pub fn new(row: PolicyRow, signatures: Vec<SignatureRow>, partners: &[String]) -> PolicyView {
        let fully_signed = partners.iter().all(|p| signatures.iter().any(|s| &s.client_id == p));
        PolicyView {
            kind: row.kind,
            couple_id: row.couple_id,
            text: row.text,
            text_sha256: row.text_sha256,
            version: row.version,
            signatures: signatures
                .into_iter()
                .map(|s| PolicySignature {
                    client_id: s.client_id,
                    signed_at: instant(s.signed_at),
                    signed_name: s.signed_name,
                    version: s.version,
                    text_sha256: s.text_sha256,
                })
                .collect(),
            fully_signed,
            updated_at: instant(row.created_at),
        }
    }
}

/// The current policy of one of the caller's couples, with the caller's own signature.
#[derive(Serialize, ToSchema)]
pub struct PortalConsent {
    pub couple_id: String,
    pub kind: PolicyKind,
    pub text: String,
    /// Send this version when signing.
    pub version: i64,
    /// When the caller signed this version; null until they do.
    pub my_signed_at: Option<DateTime<Utc>>,
}

impl PortalConsent {
    pub fn new(row: PolicyRow, my_signed_at: Option<NaiveDateTime>) -> PortalConsent {
        PortalConsent {
            kind: row.kind,
            couple_id: row.couple_id,
            text: row.text,
            version: row.version,
            my_signed_at: my_signed_at.map(instant),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PortalConsentList {
    pub items: Vec<PortalConsent>,
    pub next_cursor: Option<String>,
}
