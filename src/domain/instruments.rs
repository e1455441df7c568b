//! Built-in outcome questionnaires, as data, in one place, and their scoring.
//!
//! Only instruments whose authors let clinicians use them freely are shipped with their item
//! text. The Dyadic Adjustment Scale (sold by its publisher) and PCOMS (licensed for group
//! practices) are not, and must not be added here.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use crate::problem::FieldError;

/// One answer an item accepts: the value scored and the label the respondent reads.
#[derive(Debug)]
pub struct Choice {
    pub value: i32,
    pub label: &'static str,
}

/// One question.
#[derive(Debug)]
pub struct Item {
    pub id: &'static str,
    pub text: &'static str,
    pub options: &'static [Choice],
    /// Scored as `(lowest + highest) - value`.
    pub reverse: bool,
}

impl Item {
    fn lowest(&self) -> i32 {
        self.options.iter().map(|o| o.value).min().unwrap_or(0)
    }

    fn highest(&self) -> i32 {
        self.options.iter().map(|o| o.value).max().unwrap_or(0)
    }

    /// The points this answer scores (after reverse scoring).
    fn points(&self, value: i32) -> i32 {
        if self.reverse {
            self.lowest() + self.highest() - value
        } else {
            value
        }
    }
}

/// Which end of the scale is the better one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HigherIs {
    Better,
    Worse,
}

/// A named part of the total, the sum of some items.
#[derive(Debug)]
pub struct Subscale {
    pub key: &'static str,
    pub items: &'static [&'static str],
}

#[derive(Debug)]
pub struct Instrument {
    pub key: &'static str,
    pub title: &'static str,
    pub citation: &'static str,
    pub licence: &'static str,
    pub items: &'static [Item],
    pub subscales: &'static [Subscale],
    /// Scores below this suggest clinical concern (on the worse side when `higher_is` better).
    pub cutoff: f64,
    pub higher_is: HigherIs,
}

/// A completed questionnaire's score: the total of every item, and each subscale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scored {
    pub total: i32,
    pub subscales: BTreeMap<String, i32>,
}

impl Instrument {
    /// The lowest and highest possible totals.
    pub fn range(&self) -> (i32, i32) {
        self.items.iter().fold((0, 0), |(lo, hi), i| (lo + i.lowest(), hi + i.highest()))
    }

    /// Which side of the cutoff a total is on: `below_cutoff` or `above_cutoff` (at or above).
    pub fn band(&self, total: i32) -> &'static str {
        if f64::from(total) < self.cutoff {
            "below_cutoff"
        } else {
            "above_cutoff"
        }
    }

    /// Scores a response: every item answered once, each value one of its options, no other
    /// items. Otherwise one error per offending item (`answers.<item id>`), in the instrument's
    /// item order, then unknown and repeated items in the order given.
    pub fn score(&self, answers: &[(String, i64)]) -> Result<Scored, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut seen: BTreeMap<&str, i32> = BTreeMap::new();
        let mut extra = Vec::new();
        for (id, value) in answers {
            let field = format!("answers.{id}");
            match self.items.iter().find(|i| i.id == id) {
                None => extra.push(FieldError::new(field, "is not an item of this instrument")),
                Some(_) if seen.contains_key(id.as_str()) => {
                    extra.push(FieldError::new(field, "is answered more than once"))
                }
                Some(item) => match i32::try_from(*value).ok().filter(|v| item.options.iter().any(|o| o.value == *v)) {
                    Some(v) => {
                        seen.insert(item.id, v);
                    }
                    None => {
                        let allowed: Vec<String> = item.options.iter().map(|o| o.value.to_string()).collect();
                        errors
                            .push((item.id, FieldError::new(field, format!("must be one of {}", allowed.join(", ")))));
                        seen.insert(item.id, i32::MIN);
                    }
                },
            }
        }
        let mut ordered = Vec::new();
        for item in self.items {
            if let Some((_, e)) = errors.iter().find(|(id, _)| *id == item.id) {
                ordered.push(e.clone());
            } else if !seen.contains_key(item.id) {
                ordered.push(FieldError::new(format!("answers.{}", item.id), "must be answered"));
            }
        }
        ordered.extend(extra);
        if !ordered.is_empty() {
            return Err(ordered);
        }
        let points =
            |id: &str| self.items.iter().find(|i| i.id == id).map_or(0, |i| seen.get(id).map_or(0, |v| i.points(*v)));
        let total = self.items.iter().map(|i| points(i.id)).sum();
        let subscales =
            self.subscales.iter().map(|s| (s.key.to_string(), s.items.iter().map(|id| points(id)).sum())).collect();
        Ok(Scored { total, subscales })
    }
}

const fn c(value: i32, label: &'static str) -> Choice {
    Choice { value, label }
}

/// CSI item 1's scale (0..6).
const HAPPINESS: &[Choice] = &[
    c(0, "Extremely Unhappy"),
    c(1, "Fairly Unhappy"),
    c(2, "A Little Unhappy"),
    c(3, "Happy"),
    c(4, "Very Happy"),
    c(5, "Extremely Happy"),
    c(6, "Perfect"),
];

/// The CSI's "how true" scale (0..5).
const TRUE_SCALE: &[Choice] = &[
    c(0, "Not at all True"),
    c(1, "A little True"),
    c(2, "Somewhat True"),
    c(3, "Mostly True"),
    c(4, "Almost Completely True"),
    c(5, "Completely True"),
];

/// The CSI's "how much" scale (0..5).
const AMOUNT_SCALE: &[Choice] = &[
    c(0, "Not at all"),
    c(1, "A little"),
    c(2, "Somewhat"),
    c(3, "Mostly"),
    c(4, "Almost Completely"),
    c(5, "Completely"),
];

/// Every built-in instrument.
///
/// CSI-4, the four-item Couples Satisfaction Index (Funk & Rogge 2007): items 1, 12, 19 and 22 of
/// the CSI-32, with their wording and labels as on the authors' form. Where this was checked (Dec
/// 2026, with the stored public pages this project could search; the authors' own site was not among them):
/// - items 1 and 2 (CSI-32 items 1 and 12), the seven happiness labels and the six "True" labels:
///   the reproduction of the authors' CSI-32 form at https://ravansanji.ir/?9411171934; item 1's
///   wording also on the CSI-16 form at https://www.scribd.com/document/411250831/CSI-16-Scoring;
/// - items 3 and 4 (CSI-32 items 19 and 22) and the "Not at all".."Completely" labels: the same
///   wording in two independent reproductions (a published study's table of CSI-16 items and an
///   open-source CSI-4 module citing the items as CSI-32 items 1, 12, 19 and 22), not on the
///   authors' own form. The README asks for one more check against it before release.
///
/// Scoring: the sum of the four values, 0..21; below 13.5 suggests notable relationship
/// dissatisfaction. The CSI-16 (0..81, cutoff 51.5) is not shipped: its wording could not be
/// confirmed from the authors' published form.
pub const INSTRUMENTS: &[Instrument] = &[Instrument {
    key: "csi-4",
    title: "Couples Satisfaction Index (CSI-4)",
    citation: "Funk, J. L., & Rogge, R. D. (2007). Testing the ruler with item response theory: Increasing \
        precision of measurement for relationship satisfaction with the Couples Satisfaction Index. Journal of \
        Family Psychology, 21(4), 572-583. https://doi.org/10.1037/0893-3200.21.4.572",
    licence: "Free for clinical and research use, with attribution to the authors (Funk & Rogge, 2007).",
    items: &[
        Item {
            id: "q1",
            text: "Please indicate the degree of happiness, all things considered, of your relationship.",
            options: HAPPINESS,
            reverse: false,
        },
        Item {
            id: "q2",
            text: "I have a warm and comfortable relationship with my partner.",
            options: TRUE_SCALE,
            reverse: false,
        },
        Item {
            id: "q3",
            text: "How rewarding is your relationship with your partner?",
            options: AMOUNT_SCALE,
            reverse: false,
        },
        Item {
            id: "q4",
            text: "In general, how satisfied are you with your relationship?",
            options: AMOUNT_SCALE,
            reverse: false,
        },
    ],
    subscales: &[],
    cutoff: 13.5,
    higher_is: HigherIs::Better,
}];

crate::typed_ids! {
    /// An assessment: one questionnaire for one client.
    AssessmentId;
}

/// The built-in instrument with this key.
pub fn find(key: &str) -> Option<&'static Instrument> {
    INSTRUMENTS.iter().find(|i| i.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(pairs: &[(&str, i64)]) -> Vec<(String, i64)> {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    fn csi4() -> &'static Instrument {
        find("csi-4").expect("csi-4")
    }

    #[test]
    fn csi4_range_cutoff_and_extremes() {
        let i = csi4();
        assert_eq!(i.range(), (0, 21));
        assert_eq!(i.cutoff, 13.5);
        assert_eq!(i.items.len(), 4);
        let low = i.score(&answers(&[("q1", 0), ("q2", 0), ("q3", 0), ("q4", 0)])).unwrap();
        assert_eq!(low.total, 0);
        let high = i.score(&answers(&[("q1", 6), ("q2", 5), ("q3", 5), ("q4", 5)])).unwrap();
        assert_eq!(high.total, 21);
        assert_eq!(
            (i.band(0), i.band(13), i.band(14), i.band(21)),
            ("below_cutoff", "below_cutoff", "above_cutoff", "above_cutoff")
        );
    }

    #[test]
    fn csi4_mixed_case_by_hand() {
        // Happy (3) + Mostly True (3) + Somewhat (2) + Almost Completely (4) = 12: below 13.5.
        let s = csi4().score(&answers(&[("q4", 4), ("q2", 3), ("q1", 3), ("q3", 2)])).unwrap();
        assert_eq!(s.total, 12);
        assert!(s.subscales.is_empty());
        assert_eq!(csi4().band(s.total), "below_cutoff");
    }

    #[test]
    fn csi4_refuses_incomplete_out_of_range_extra_and_repeated() {
        let i = csi4();
        let e = i.score(&answers(&[("q1", 7), ("q3", -1), ("q9", 1), ("q3", 2)])).unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["answers.q1", "answers.q2", "answers.q3", "answers.q4", "answers.q9", "answers.q3"]);
        assert!(e[0].message.contains("0, 1, 2, 3, 4, 5, 6"));
        assert!(e[1].message.contains("answered"));
        assert!(e[5].message.contains("more than once"));
        assert!(i.score(&answers(&[("q1", 6), ("q2", 6), ("q3", 5), ("q4", 5)])).is_err(), "q2 stops at 5");
        assert!(i.score(&[]).is_err());
    }

    /// A test-only instrument (not shipped): reverse-scored items and two subscales.
    const TEST: Instrument = Instrument {
        key: "test",
        title: "Test",
        citation: "",
        licence: "",
        items: &[
            Item { id: "a", text: "A", options: &[c(1, "1"), c(2, "2"), c(3, "3"), c(4, "4")], reverse: false },
            Item { id: "b", text: "B", options: &[c(1, "1"), c(2, "2"), c(3, "3"), c(4, "4")], reverse: true },
            Item { id: "c", text: "C", options: &[c(0, "0"), c(1, "1"), c(2, "2")], reverse: true },
            Item { id: "d", text: "D", options: &[c(0, "0"), c(1, "1"), c(2, "2")], reverse: false },
        ],
        subscales: &[Subscale { key: "first", items: &["a", "b"] }, Subscale { key: "second", items: &["c", "d"] }],
        cutoff: 5.0,
        higher_is: HigherIs::Worse,
    };

    #[test]
    fn reverse_scoring_and_subscales() {
        assert_eq!(TEST.range(), (2, 12));
        // a=1 -> 1; b=1 reversed (1+4-1) -> 4; c=0 reversed (0+2-0) -> 2; d=2 -> 2.
        let s = TEST.score(&answers(&[("a", 1), ("b", 1), ("c", 0), ("d", 2)])).unwrap();
        assert_eq!(s.total, 9);
        assert_eq!(s.subscales, BTreeMap::from([("first".to_string(), 5), ("second".to_string(), 4)]));
        // b=4 -> 1, c=2 -> 0.
        let s = TEST.score(&answers(&[("a", 4), ("b", 4), ("c", 2), ("d", 0)])).unwrap();
        assert_eq!((s.total, s.subscales["first"], s.subscales["second"]), (5, 5, 0));
    }
}
