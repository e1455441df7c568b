//! Built-in milestone plans a counselor can apply to a couple, as data, in one place.
//!
//! The wording is meant to be read by the couple too (template milestones are visible to
//! clients by default), so it is plain language, not clinical shorthand.

use utoipa::ToSchema;

/// A built-in plan's key, as `GET /milestone-templates` lists them.
// (The OpenAPI document only: a test keeps it identical to the keys of `TEMPLATES`.)
#[derive(ToSchema)]
#[schema(rename_all = "kebab-case")]
#[allow(dead_code)]
pub enum TemplateKey {
    TrustRepair,
    ThreeStage,
}

/// One step of a plan.
#[derive(Debug)]
pub struct TemplateMilestone {
    pub title: &'static str,
    pub description: &'static str,
    pub phase: &'static str,
}

/// A plan: its phases in order, and its milestones in order.
#[derive(Debug)]
pub struct Template {
    pub key: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub phases: &'static [&'static str],
    pub milestones: &'static [TemplateMilestone],
}

const fn m(phase: &'static str, title: &'static str, description: &'static str) -> TemplateMilestone {
    TemplateMilestone { title, description, phase }
}

/// Every built-in plan.
pub const TEMPLATES: &[Template] = &[
    Template {
        key: "trust-repair",
        title: "Repairing trust after a betrayal",
        description: "A step-by-step path from the first acknowledgement of the hurt to a lasting plan \
            for keeping trust strong. Couples move at their own pace and may return to earlier steps.",
        phases: &["acknowledge", "understand", "amends", "rebuild", "reconnect", "forgive", "sustain"],
        milestones: &[
            m(
                "acknowledge",
                "The hurt is named and acknowledged",
                "The partner who caused the hurt says plainly what happened and how it affected the other, \
                 without playing it down or shifting the blame.",
            ),
            m(
                "acknowledge",
                "Each partner's feelings are heard",
                "Each of you has had room to say how you feel and has felt heard and taken seriously by the \
                 other, before anyone tries to fix things.",
            ),
            m(
                "understand",
                "How it came to happen is understood",
                "Together you look at what led to the betrayal: in the relationship, in each of you and in the \
                 circumstances. Understanding why is not the same as excusing it.",
            ),
            m(
                "amends",
                "A sincere apology is given",
                "The partner who caused the hurt apologises, owning what they did and showing real remorse, \
                 with no \"but\" and no conditions attached.",
            ),
            m(
                "rebuild",
                "Boundaries are agreed",
                "You agree on clear boundaries that help the hurt partner feel safe again, and write them down \
                 so there is no doubt about what was promised.",
            ),
            m(
                "rebuild",
                "Behaviour is consistent and open",
                "Week after week the agreements are kept, and the partner who caused the hurt is open without \
                 having to be asked. Trust grows back from what is done, again and again.",
            ),
            m(
                "reconnect",
                "Talking openly about needs",
                "You practise telling each other what you need, fear and hope for, and listening without \
                 defending yourselves.",
            ),
            m(
                "reconnect",
                "Closeness is rebuilt",
                "You find your way back to each other through time and activities you choose together, at a \
                 pace that feels safe for both of you.",
            ),
            m(
                "forgive",
                "Forgiveness is expressed",
                "When the hurt partner is ready, and not before, they say that they forgive. Forgiving means \
                 letting go of the debt; it is not the same as forgetting or as deciding to stay together, and \
                 it cannot be rushed.",
            ),
            m(
                "sustain",
                "A plan for keeping trust strong",
                "Together you write down how you will look after your relationship from here: regular \
                 check-ins, the early warning signs you watch for, and what you will do if old patterns return.",
            ),
        ],
    },
    Template {
        key: "three-stage",
        title: "Recovering from an affair in three stages",
        description: "A three-stage path: dealing with the impact, making sense of what happened, and moving \
            forward. Moving forward may mean staying together or parting well; both can be good outcomes.",
        phases: &["impact", "meaning", "moving-forward"],
        milestones: &[
            m(
                "impact",
                "Enough safety to do the work",
                "You agree on what each of you needs to feel safe enough to work on what happened, and how you \
                 will handle moments when feelings become overwhelming.",
            ),
            m(
                "impact",
                "The impact is understood",
                "The partner who was betrayed can say how it has affected them, and the other partner listens \
                 and shows that they understand.",
            ),
            m(
                "meaning",
                "Making sense of how it happened",
                "You explore together what surrounded the affair: the relationship, each person's history and \
                 the choices that were made, so that it makes sense without being excused.",
            ),
            m(
                "meaning",
                "Each partner's part in the relationship",
                "Each of you looks honestly at how the relationship was before the affair and what you brought \
                 to it, while the affair itself stays the responsibility of the partner who chose it.",
            ),
            m(
                "moving-forward",
                "Deciding about the future together",
                "With a fuller understanding, you decide whether to rebuild the relationship or to part. \
                 Separating well, with respect and care, is a good outcome too.",
            ),
            m(
                "moving-forward",
                "Letting go of resentment",
                "Each of you works toward letting go of resentment, for your own sake, whatever you decide \
                 about staying together.",
            ),
            m(
                "moving-forward",
                "A plan for what comes next",
                "You write down how you will move forward, together or apart, and how you will look after \
                 yourselves and anyone who depends on you.",
            ),
        ],
    },
];

/// The plan with this key.
pub fn find(key: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.key == key)
}

/// What a key that names no plan is told.
pub const UNKNOWN: &str = "is not a known plan";

/// A plan's key, as a `validator` custom function.
pub fn check(key: &str) -> Result<(), validator::ValidationError> {
    find(key).map(drop).ok_or_else(|| crate::domain::rules::rule(UNKNOWN))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_milestone_uses_a_phase_of_its_plan_in_order() {
        for t in TEMPLATES {
            assert!(!t.milestones.is_empty(), "{}", t.key);
            let mut last = 0;
            for m in t.milestones {
                let i = t.phases.iter().position(|p| *p == m.phase).expect("phase of the plan");
                assert!(i >= last, "{}: {} out of order", t.key, m.title);
                last = i;
                assert!(crate::domain::trust::phase("phase", m.phase).is_ok());
                assert!(m.title.chars().count() <= 200);
            }
            // Every phase has at least one milestone.
            for p in t.phases {
                assert!(t.milestones.iter().any(|m| m.phase == *p), "{}: {p}", t.key);
            }
        }
    }

    #[test]
    fn documented_keys_are_the_plans() {
        use utoipa::PartialSchema;
        let schema = serde_json::to_value(TemplateKey::schema()).unwrap();
        let keys: Vec<&str> = TEMPLATES.iter().map(|t| t.key).collect();
        assert_eq!(schema["enum"], serde_json::json!(keys));
    }

    #[test]
    fn trust_repair_phases() {
        let t = find("trust-repair").unwrap();
        assert_eq!(t.phases, ["acknowledge", "understand", "amends", "rebuild", "reconnect", "forgive", "sustain"]);
        assert!(find("nope").is_none());
    }
}
