//! A couple's trust-repair plan as a FHIR `CarePlan` (its id is the couple's): the milestones
//! as its goals (`Goal` resources) and the shared activities as its activities, each with its
//! schedule (cadence and window) and who does it.

use super::model::{CarePlan, CarePlanActivity, CarePlanActivityDetail, Period, Timing, TimingRepeat};
use super::{date, instant, meta, period, reference, text_concept};
use crate::domain::activities::{ActivityStatus, Cadence};
use crate::domain::ids::ClientId;
use crate::domain::CoupleStatus;
use crate::problem::AppResult;
use crate::store::activities::ActivityRow;
use crate::store::couples::CoupleRow;
use crate::store::milestones::MilestoneRow;

fn plan_status(s: CoupleStatus) -> &'static str {
    match s {
        CoupleStatus::Active => "active",
        CoupleStatus::Paused => "on-hold",
        CoupleStatus::Closed => "completed",
    }
}

fn activity_status(s: ActivityStatus) -> &'static str {
    match s {
        ActivityStatus::Active => "in-progress",
        ActivityStatus::Paused => "on-hold",
        ActivityStatus::Completed => "completed",
        ActivityStatus::Retired => "stopped",
    }
}

/// The activity's window, as a FHIR period of days.
fn window(a: &ActivityRow) -> AppResult<Period> {
    Ok(period(Some(date(&a.starts_on)?), a.ends_on.as_deref().map(date).transpose()?))
}

/// `times_per_period` times a day or a week within the window; `once`: one time.
fn schedule(a: &ActivityRow) -> AppResult<Timing> {
    let times = u32::try_from(a.times_per_period).ok().filter(|n| *n > 0).unwrap_or(1);
    let (count, frequency, unit) = match a.cadence {
        Cadence::Once => (Some(1), None, None),
        Cadence::Daily => (None, Some(times), Some("d")),
        Cadence::Weekly => (None, Some(times), Some("wk")),
    };
    Ok(Timing {
        repeat: TimingRepeat {
            bounds_period: window(a)?,
            count,
            frequency,
            period: unit.map(|_| 1.0),
            period_unit: unit,
        },
    })
}

fn activity(a: &ActivityRow, partners: &[ClientId]) -> AppResult<CarePlanActivity> {
    let performer = match &a.assignee_id {
        Some(one) => vec![reference("Patient", one)],
        None => partners.iter().map(|p| reference("Patient", p)).collect(),
    };
    Ok(CarePlanActivity {
        detail: CarePlanActivityDetail {
            kind: "Task",
            code: text_concept(&a.title),
            status: activity_status(a.status),
            scheduled_timing: schedule(a)?,
            performer,
            description: a.instructions.clone(),
        },
    })
}

pub fn care_plan(
    couple: &CoupleRow,
    partners: &[ClientId],
    milestones: &[MilestoneRow],
    activities: &[ActivityRow],
) -> AppResult<CarePlan> {
    Ok(CarePlan {
        id: couple.id.to_string(),
        meta: meta(couple.version, couple.updated_at),
        status: plan_status(couple.status),
        intent: "plan",
        title: "Trust-repair plan",
        subject: reference("Group", &couple.id),
        period: period(Some(instant(couple.created_at)), None),
        created: instant(couple.created_at),
        goal: milestones.iter().map(|m| reference("Goal", &m.id)).collect(),
        activity: activities.iter().map(|a| activity(a, partners)).collect::<AppResult<_>>()?,
    })
}
