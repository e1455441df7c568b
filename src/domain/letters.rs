//! Mediated letters: their kinds, their statuses and the moves between them.
//!
//! A letter is written by a partner over several drafts and reaches the other partner only when
//! a counselor releases it:
//!
//! ```text
//! draft --submit--> submitted --release--> released (final, locked)
//!   ^                 |   ^
//!   |                 |   |
//!   +---(edit)--- returned (after a counselor's comment) --submit--+
//! any status but released --withdraw--> withdrawn (final)
//! ```

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a letter is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LetterKind {
    /// From the partner who was hurt: what it did to them.
    Impact,
    /// From the partner who broke trust: owning what they did.
    Accountability,
    /// An answer to a letter received.
    Response,
    Other,
}

impl LetterKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LetterKind::Impact => "impact",
            LetterKind::Accountability => "accountability",
            LetterKind::Response => "response",
            LetterKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<LetterKind> {
        [LetterKind::Impact, LetterKind::Accountability, LetterKind::Response, LetterKind::Other]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// Where a letter stands. `released` and `withdrawn` are final.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LetterStatus {
    Draft,
    Submitted,
    Returned,
    Released,
    Withdrawn,
}

impl LetterStatus {
    pub const ALL: [LetterStatus; 5] = [
        LetterStatus::Draft,
        LetterStatus::Submitted,
        LetterStatus::Returned,
        LetterStatus::Released,
        LetterStatus::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LetterStatus::Draft => "draft",
            LetterStatus::Submitted => "submitted",
            LetterStatus::Returned => "returned",
            LetterStatus::Released => "released",
            LetterStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<LetterStatus> {
        LetterStatus::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The author may change the text (and submit it) only in these.
    pub fn editable(self) -> bool {
        matches!(self, LetterStatus::Draft | LetterStatus::Returned)
    }

    /// The author may withdraw from any status but these.
    pub fn withdrawable(self) -> bool {
        !matches!(self, LetterStatus::Released | LetterStatus::Withdrawn)
    }
}

/// Limits of the letter's text.
pub const TITLE_MAX: usize = 200;
pub const BODY_MAX: usize = 50_000;
pub const COMMENT_MAX: usize = 5_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_and_moves() {
        for s in LetterStatus::ALL {
            assert_eq!(LetterStatus::parse(s.as_str()), Some(s));
        }
        for k in ["impact", "accountability", "response", "other"] {
            assert_eq!(LetterKind::parse(k).map(LetterKind::as_str), Some(k));
        }
        assert!(LetterStatus::Draft.editable() && LetterStatus::Returned.editable());
        assert!(!LetterStatus::Submitted.editable() && !LetterStatus::Released.editable());
        assert!(!LetterStatus::Released.withdrawable() && !LetterStatus::Withdrawn.withdrawable());
        assert!(LetterStatus::Submitted.withdrawable());
    }
}
