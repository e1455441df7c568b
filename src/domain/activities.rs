//! Shared activities: cadences, statuses, the rules of a log's date, and the built-in library
//! of activity templates (data, in one place, like the milestone plans).
//!
//! The wording is read by the couple in the portal, so it is plain language.

use chrono::NaiveDate;
use utoipa::ToSchema;

use crate::problem::FieldError;

crate::vocabulary! {
    /// How often an activity is meant to happen.
    pub enum Cadence { Once = "once", Daily = "daily", Weekly = "weekly" }
}

crate::vocabulary! {
    /// Where an activity stands. Partners log only while `active`; `retired` is final.
    pub enum ActivityStatus { Active = "active", Paused = "paused", Completed = "completed", Retired = "retired" }
}

/// `times_per_period`: 1..=14.
pub const TIMES_MIN: i32 = 1;
pub const TIMES_MAX: i32 = 14;

crate::typed_ids! {
    /// A shared activity of a couple.
    ActivityId;
    /// A partner's log of an activity.
    ActivityLogId;
}

crate::checked_text! {
    /// An activity's title: 1 to 200 characters, not blank.
    ActivityTitle: max 200, not_blank;
    /// Plain-language instructions for the couple: 1 to 5,000 characters.
    Instructions: max 5_000, may_be_blank;
    /// A question for the partners' reflections: 1 to 1,000 characters.
    ReflectionPrompt: max 1_000, may_be_blank;
    /// A partner's reflection on an activity: 1 to 5,000 characters.
    Reflection: max 5_000, may_be_blank;
}

/// `times_per_period` as a `validator` custom function.
pub fn check_times(value: i32) -> Result<(), validator::ValidationError> {
    if (TIMES_MIN..=TIMES_MAX).contains(&value) {
        Ok(())
    } else {
        Err(crate::domain::rules::rule(format!("must be from {TIMES_MIN} to {TIMES_MAX}")))
    }
}

/// A calendar date `YYYY-MM-DD` as a `validator` custom function.
pub fn check_day(value: &str) -> Result<(), validator::ValidationError> {
    crate::domain::date::parse("date", value).map(|_| ()).map_err(|e| crate::domain::rules::rule(e.message))
}

/// `assigned_to` as a `validator` custom function.
pub fn check_assignee(value: &str) -> Result<(), validator::ValidationError> {
    Assignee::parse("assigned_to", value).map(|_| ()).map_err(|e| crate::domain::rules::rule(e.message))
}

/// Who an activity is for: both partners, or one (`"both"` or a partner's id on the wire).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Assignee {
    Both,
    Partner(String),
}

impl Assignee {
    /// `"both"` or a UUID (membership in the couple is checked against the couple).
    pub fn parse(field: &str, value: &str) -> Result<Assignee, FieldError> {
        if value == "both" {
            return Ok(Assignee::Both);
        }
        match uuid::Uuid::parse_str(value) {
            Ok(id) if value.len() == 36 => Ok(Assignee::Partner(id.to_string())),
            _ => Err(FieldError::new(field, "must be \"both\" or the id of a partner of the couple")),
        }
    }

    /// The stored column: NULL for both.
    pub fn column(&self) -> Option<String> {
        match self {
            Assignee::Both => None,
            Assignee::Partner(id) => Some(id.clone()),
        }
    }

    pub fn from_column(value: Option<String>) -> Assignee {
        value.map_or(Assignee::Both, Assignee::Partner)
    }

    pub fn wire(&self) -> String {
        match self {
            Assignee::Both => "both".into(),
            Assignee::Partner(id) => id.clone(),
        }
    }
}

/// The JSON Schema pattern of `assigned_to`: exactly what [`Assignee::parse`] accepts.
pub const ASSIGNEE_PATTERN: &str =
    "^(both|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$";

/// An activity's window: `ends_on`, when given, is not before `starts_on`.
pub fn window(starts_on: NaiveDate, ends_on: Option<NaiveDate>) -> Result<(), FieldError> {
    match ends_on {
        Some(end) if end < starts_on => Err(FieldError::new("ends_on", "must not be before starts_on")),
        _ => Ok(()),
    }
}

/// A log's day: within the activity's window and not after `today`.
pub fn log_day(
    done_on: NaiveDate,
    starts_on: NaiveDate,
    ends_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(), FieldError> {
    if done_on > today {
        return Err(FieldError::new("done_on", "must not be in the future"));
    }
    if done_on < starts_on {
        return Err(FieldError::new("done_on", "must not be before the activity starts (starts_on)"));
    }
    if ends_on.is_some_and(|end| done_on > end) {
        return Err(FieldError::new("done_on", "must not be after the activity ends (ends_on)"));
    }
    Ok(())
}

/// A built-in activity.
#[derive(Debug)]
pub struct ActivityTemplate {
    pub key: &'static str,
    pub title: &'static str,
    pub instructions: &'static str,
    pub cadence: Cadence,
    pub times_per_period: i32,
    pub reflection_prompt: &'static str,
}

/// A built-in activity's key, as `GET /activity-templates` lists them.
// (The OpenAPI document only: a test keeps it identical to the keys of `ACTIVITY_TEMPLATES`.)
#[derive(ToSchema)]
#[schema(rename_all = "kebab-case")]
#[allow(dead_code)]
pub enum ActivityTemplateKey {
    DailyCheckIn,
    WeeklyMeeting,
    SomethingNew,
    AppreciationExchange,
    TransparencyCheckIn,
    WalkTogether,
}

/// Every built-in activity.
pub const ACTIVITY_TEMPLATES: &[ActivityTemplate] = &[
    ActivityTemplate {
        key: "daily-check-in",
        title: "Daily check-in",
        instructions: "Once a day, sit down together for ten minutes without phones or television. Each of \
            you says how your day went and one feeling you had today. The other listens, then says back what \
            they heard. No problem-solving and no arguing about it: just listening.",
        cadence: Cadence::Daily,
        times_per_period: 1,
        reflection_prompt: "What did you learn about your partner's day, and how did it feel to be listened to?",
    },
    ActivityTemplate {
        key: "weekly-meeting",
        title: "Weekly relationship meeting",
        instructions: "Once a week, at a time you both agreed on, meet for half an hour. Start with what went \
            well this week and thank each other for it. Then each of you raises at most one thing that was \
            hard, and you agree on one small step for the week ahead. Stop on time, even if not everything \
            is settled.",
        cadence: Cadence::Weekly,
        times_per_period: 1,
        reflection_prompt: "What went well in the meeting, and what step did you agree on?",
    },
    ActivityTemplate {
        key: "something-new",
        title: "Try something new together",
        instructions: "Once a week, do something together that neither of you has done before: a recipe, a \
            place, a class, a game. Take turns choosing. Keep it simple and cheap; the point is to discover \
            something side by side, not to get it right.",
        cadence: Cadence::Weekly,
        times_per_period: 1,
        reflection_prompt: "What did you try, and what did you notice about each other while doing it?",
    },
    ActivityTemplate {
        key: "appreciation-exchange",
        title: "Appreciation exchange",
        instructions: "Every day, tell your partner one specific thing you appreciated about them that day, \
            such as something they did, said or tried. Say it plainly and let it be received: the other \
            partner only says thank you.",
        cadence: Cadence::Daily,
        times_per_period: 1,
        reflection_prompt: "What appreciation did you give or receive today, and how did it land?",
    },
    ActivityTemplate {
        key: "transparency-check-in",
        title: "Transparency check-in",
        instructions: "Twice a week, the partner who broke trust offers, without being asked, an account of \
            anything the other partner might want to know: plans, contacts, changes. The partner who was hurt \
            may ask questions; answers are honest and calm. If it gets heated, pause and bring it to the next \
            session.",
        cadence: Cadence::Weekly,
        times_per_period: 2,
        reflection_prompt: "How safe did the check-in feel, and was anything hard to say or to hear?",
    },
    ActivityTemplate {
        key: "walk-together",
        title: "Walk together",
        instructions: "Three times a week, take a walk of at least twenty minutes together. Walk side by side \
            and talk about anything but the betrayal: what you see, plans, memories. If silence feels right, \
            that is fine too.",
        cadence: Cadence::Weekly,
        times_per_period: 3,
        reflection_prompt: "How did the walk feel, and what did you talk about?",
    },
];

/// The built-in activity with this key.
pub fn find(key: &str) -> Option<&'static ActivityTemplate> {
    ACTIVITY_TEMPLATES.iter().find(|t| t.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn templates_fit_the_rules_of_an_activity() {
        assert!(ACTIVITY_TEMPLATES.len() >= 6);
        for t in ACTIVITY_TEMPLATES {
            assert!(ActivityTitle::parse(t.title).is_ok(), "{}", t.key);
            assert!(Instructions::parse(t.instructions).is_ok(), "{}", t.key);
            assert!(ReflectionPrompt::parse(t.reflection_prompt).is_ok(), "{}", t.key);
            assert!((TIMES_MIN..=TIMES_MAX).contains(&t.times_per_period), "{}", t.key);
        }
        let mut keys: Vec<&str> = ACTIVITY_TEMPLATES.iter().map(|t| t.key).collect();
        keys.dedup();
        assert_eq!(keys.len(), ACTIVITY_TEMPLATES.len());
    }

    #[test]
    fn documented_keys_are_the_templates() {
        use utoipa::PartialSchema;
        let schema = serde_json::to_value(ActivityTemplateKey::schema()).unwrap();
        let keys: Vec<&str> = ACTIVITY_TEMPLATES.iter().map(|t| t.key).collect();
        assert_eq!(schema["enum"], serde_json::json!(keys));
    }

    #[test]
    fn log_days() {
        let today = d("2026-12-01");
        assert!(log_day(d("2026-12-01"), d("2026-11-01"), None, today).is_ok());
        assert!(log_day(d("2026-12-02"), d("2026-11-01"), None, today).is_err());
        assert!(log_day(d("2026-10-31"), d("2026-11-01"), None, today).is_err());
        assert!(log_day(d("2026-11-20"), d("2026-11-01"), Some(d("2026-11-15")), today).is_err());
        assert!(log_day(d("2026-11-15"), d("2026-11-01"), Some(d("2026-11-15")), today).is_ok());
        assert!(window(d("2026-11-02"), Some(d("2026-11-01"))).is_err());
    }

    #[test]
    fn assignees() {
        assert_eq!(Assignee::parse("a", "both").unwrap(), Assignee::Both);
        let id = "0190f0e0-0000-7000-8000-000000000001";
        assert_eq!(Assignee::parse("a", id).unwrap().wire(), id);
        for bad in ["Both", "", "x", "0190f0e000007000800000000000000001"] {
            assert!(Assignee::parse("a", bad).is_err(), "{bad}");
        }
    }
}

/// What one activity is meant to be, for adherence: its cadence, how many completed logs each
/// period needs from each person it is for, and its dates.
pub struct Plan {
    pub cadence: Cadence,
    pub times_per_period: i32,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    /// How many people it is for (1 for one partner, 2 for both).
    pub people: i64,
}

/// Adherence over the window `[since, today]`: `completed` is the completed logs in the window;
/// `missed` counts, for each period of the plan that has ended inside the window (a day of a
/// daily activity, a week from `starts_on` of a weekly one), each person's logs short of
/// `times_per_period`. `done` holds, per person, the days of their completed logs. The period
/// under way (today, this week) is not missed yet; a `once` activity is missed when it has
/// ended undone.
pub fn adherence(plan: &Plan, done: &[Vec<NaiveDate>], since: NaiveDate, today: NaiveDate) -> (i64, i64) {
    let in_window = |d: &NaiveDate| *d >= since && *d <= today;
    let completed: i64 = done.iter().map(|days| days.iter().filter(|d| in_window(d)).count() as i64).sum();
    let length = match plan.cadence {
        Cadence::Daily => 1,
        Cadence::Weekly => 7,
        Cadence::Once => {
            let ended = plan.ends_on.is_some_and(|end| end < today && end >= since);
            let short = |days: &Vec<NaiveDate>| {
                let got =
                    days.iter().filter(|d| **d >= plan.starts_on && plan.ends_on.is_none_or(|e| **d <= e)).count();
                i64::from(plan.times_per_period).saturating_sub(got as i64).max(0)
            };
            let missed = if ended { people(plan, done).map(short).sum() } else { 0 };
            return (completed, missed);
        }
    };
    let mut missed = 0;
    let mut start = plan.starts_on;
    // Periods are counted from the activity's start; only those that ended before today, inside
    // the window, and before the activity's end.
    while start + chrono::Duration::days(length - 1) < today {
        let end = start + chrono::Duration::days(length - 1);
        if plan.ends_on.is_some_and(|e| start > e) {
            break;
        }
        if start >= since {
            for days in people(plan, done) {
                let got = days.iter().filter(|d| **d >= start && **d <= end).count() as i64;
                missed += (i64::from(plan.times_per_period) - got).max(0);
            }
        }
        start += chrono::Duration::days(length);
    }
    (completed, missed)
}

/// Each person the plan is for, with their completed days (none for one who logged nothing).
fn people<'a>(plan: &Plan, done: &'a [Vec<NaiveDate>]) -> impl Iterator<Item = &'a Vec<NaiveDate>> + 'a {
    static NONE: Vec<NaiveDate> = Vec::new();
    let n = plan.people.max(0) as usize;
    done.iter().chain(std::iter::repeat(&NONE)).take(n.max(done.len()))
}

#[cfg(test)]
mod adherence_tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_daily_activity_done_on_3_of_the_last_30_days_missed_the_other_days() {
        let today = d("2026-12-05");
        let since = today - chrono::Duration::days(29);
        let plan =
            Plan { cadence: Cadence::Daily, times_per_period: 1, starts_on: d("2026-10-01"), ends_on: None, people: 1 };
        let done = vec![vec![d("2026-11-20"), d("2026-11-28"), d("2026-12-05")]];
        // 29 ended days in the window (today is under way); 2 of them were done.
        assert_eq!(adherence(&plan, &done, since, today), (3, 27));
    }

    #[test]
    fn both_partners_each_owe_their_logs_and_a_weekly_one_counts_whole_weeks() {
        let today = d("2026-12-05");
        let since = today - chrono::Duration::days(29);
        let plan = Plan {
            cadence: Cadence::Weekly,
            times_per_period: 2,
            starts_on: d("2026-11-06"),
            ends_on: None,
            people: 2,
        };
        // Weeks from 11-06: 11-06..12, 13..19, 20..26, 27..12-03 have ended; 12-04.. is under way.
        let a = vec![d("2026-11-07"), d("2026-11-08"), d("2026-11-14"), d("2026-12-04")];
        let done = vec![a];
        // A: 0 + 1 + 2 + 2 short; B (no logs): 2 a week for 4 weeks.
        assert_eq!(adherence(&plan, &done, since, today), (4, 5 + 8));
    }

    #[test]
    fn nothing_is_missed_before_the_start_after_the_end_or_today() {
        let today = d("2026-12-05");
        let since = today - chrono::Duration::days(29);
        let plan = Plan {
            cadence: Cadence::Daily,
            times_per_period: 1,
            starts_on: d("2026-12-01"),
            ends_on: Some(d("2026-12-02")),
            people: 1,
        };
        assert_eq!(adherence(&plan, &[vec![d("2026-12-01")]], since, today), (1, 1));
        let once = Plan {
            cadence: Cadence::Once,
            times_per_period: 1,
            starts_on: d("2026-11-01"),
            ends_on: Some(d("2026-11-30")),
            people: 2,
        };
        assert_eq!(adherence(&once, &[vec![d("2026-11-10")]], since, today), (1, 1));
        let open = Plan { ends_on: None, ..once };
        assert_eq!(adherence(&open, &[], since, today), (0, 0));
    }
}
