//! A milestone of a couple's trust-repair plan as a FHIR `Goal` of the couple's `Group`.

use fhir_sdk::r4b::codes::GoalLifecycleStatus;
use fhir_sdk::r4b::resources::Goal;
use fhir_sdk::r4b::resources::{GoalTarget, GoalTargetDue};
use fhir_sdk::r4b::types::Annotation;

use super::{built, coding, concept, date, each, meta, reference, systems, text_concept};
use crate::domain::trust::MilestoneStatus;
use crate::problem::AppResult;
use crate::store::milestones::MilestoneRow;

const ACHIEVEMENT: &str = "http://terminology.hl7.org/CodeSystem/goal-achievement";

/// `lifecycleStatus` and, once work on it started, `achievementStatus`.
fn statuses(s: MilestoneStatus) -> (GoalLifecycleStatus, Option<(&'static str, &'static str)>) {
    match s {
        MilestoneStatus::NotStarted => (GoalLifecycleStatus::Accepted, None),
        MilestoneStatus::InProgress => (GoalLifecycleStatus::Active, Some(("in-progress", "In Progress"))),
        MilestoneStatus::Achieved => (GoalLifecycleStatus::Completed, Some(("achieved", "Achieved"))),
        MilestoneStatus::SetAside => (GoalLifecycleStatus::Cancelled, Some(("not-achieved", "Not Achieved"))),
    }
}

pub fn goal(row: &MilestoneRow) -> AppResult<Goal> {
    let (lifecycle, achievement) = statuses(row.status);
    let mut b = Goal::builder()
        .id(row.id.to_string())
        .meta(meta(row.version, row.updated_at)?)
        .lifecycle_status(lifecycle)
        .category(each([concept(vec![coding(systems::PHASE, &row.phase, None)?], Some(&row.phase))?]))
        .description(text_concept(&row.title)?)
        .subject(reference("Group", &row.couple_id)?);
    if let Some((code, display)) = achievement {
        b = b.achievement_status(concept(vec![coding(ACHIEVEMENT, code, Some(display))?], None)?);
    }
    if let Some(due) = &row.target_on {
        b = b.target(each([built(GoalTarget::builder().due(GoalTargetDue::Date(date(due)?)).build())?]));
    }
    if let Some(on) = &row.achieved_on {
        b = b.status_date(date(on)?);
    }
    if let Some(text) = &row.description {
        b = b.note(each([built(Annotation::builder().text(text.clone()).build())?]));
    }
    built(b.build())
}
