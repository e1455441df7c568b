//! A milestone of a couple's trust-repair plan as a FHIR `Goal` of the couple's `Group`.

use super::model::{Annotation, Goal, GoalTarget};
use super::{coding, concept, date, meta, reference, systems, text_concept};
use crate::domain::trust::MilestoneStatus;
use crate::problem::AppResult;
use crate::store::milestones::MilestoneRow;

const ACHIEVEMENT: &str = "http://terminology.hl7.org/CodeSystem/goal-achievement";

/// `lifecycleStatus` and, once work on it started, `achievementStatus`.
fn statuses(s: MilestoneStatus) -> (&'static str, Option<(&'static str, &'static str)>) {
    match s {
        MilestoneStatus::NotStarted => ("accepted", None),
        MilestoneStatus::InProgress => ("active", Some(("in-progress", "In Progress"))),
        MilestoneStatus::Achieved => ("completed", Some(("achieved", "Achieved"))),
        MilestoneStatus::SetAside => ("cancelled", Some(("not-achieved", "Not Achieved"))),
    }
}

pub fn goal(row: &MilestoneRow) -> AppResult<Goal> {
    let (lifecycle, achievement) = statuses(row.status);
    let target = match &row.target_on {
        Some(due) => vec![GoalTarget { due_date: date(due)? }],
        None => Vec::new(),
    };
    Ok(Goal {
        id: row.id.to_string(),
        meta: meta(row.version, row.updated_at),
        lifecycle_status: lifecycle,
        achievement_status: achievement
            .map(|(code, display)| concept(vec![coding(ACHIEVEMENT, code, Some(display))], None)),
        category: vec![concept(vec![coding(systems::PHASE, &row.phase, None)], Some(&row.phase))],
        description: text_concept(&row.title),
        subject: reference("Group", &row.couple_id),
        target,
        status_date: row.achieved_on.as_deref().map(date).transpose()?,
        note: row.description.iter().map(|text| Annotation { text: text.clone() }).collect(),
    })
}
