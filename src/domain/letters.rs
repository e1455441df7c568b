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

crate::vocabulary! {
    /// What a letter is for: `impact` (from the partner who was hurt), `accountability` (from
    /// the partner who broke trust), `response` (an answer to a letter received) or `other`.
    pub enum LetterKind { Impact = "impact", Accountability = "accountability", Response = "response", Other = "other" }
}

crate::vocabulary! {
    /// Where a letter stands. `released` and `withdrawn` are final.
    pub enum LetterStatus {
        Draft = "draft",
        Submitted = "submitted",
        Returned = "returned",
        Released = "released",
        Withdrawn = "withdrawn",
    }
}

crate::vocabulary! {
    /// The statuses staff may filter a couple's letters by (`GET /couples/{id}/letters?status=`):
    /// every status a letter can have once submitted. Never `draft`: staff never see drafts.
    pub enum StaffLetterStatus {
        Submitted = "submitted",
        Returned = "returned",
        Released = "released",
        Withdrawn = "withdrawn",
    }
}

impl StaffLetterStatus {
    pub fn letter_status(self) -> LetterStatus {
        match self {
            StaffLetterStatus::Submitted => LetterStatus::Submitted,
            StaffLetterStatus::Returned => LetterStatus::Returned,
            StaffLetterStatus::Released => LetterStatus::Released,
            StaffLetterStatus::Withdrawn => LetterStatus::Withdrawn,
        }
    }
}

impl LetterStatus {
    /// The author may change the text (and submit it) only in these.
    pub fn editable(self) -> bool {
        matches!(self, LetterStatus::Draft | LetterStatus::Returned)
    }

    /// The author may withdraw from any status but these.
    pub fn withdrawable(self) -> bool {
        !matches!(self, LetterStatus::Released | LetterStatus::Withdrawn)
    }
}

crate::typed_ids! {
    /// A mediated letter.
    LetterId;
}

crate::checked_text! {
    /// A letter's title: 1 to 200 characters, not blank, stored exactly as sent.
    LetterTitle: max 200, not_blank;
    /// A letter's text: 1 to 50,000 characters, not blank, stored exactly as sent.
    LetterBody: max 50_000, not_blank;
    /// A counselor's comment on a returned letter, for its author: 1 to 5,000 characters, not blank.
    LetterComment: max 5_000, not_blank;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_and_moves() {
        for s in LetterStatus::ALL {
            assert_eq!(LetterStatus::parse(s.as_str()), Some(*s));
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
