//! A couple's trust-repair plan as a FHIR `CarePlan` (its id is the couple's): the milestones
//! as its goals (`Goal` resources) and the shared activities as its activities, each with its
//! schedule (cadence and window) and who does it.

use fhir_sdk::r4b::codes::{CarePlanActivityStatus, RequestStatus};
use fhir_sdk::r4b::resources::CarePlan;
use fhir_sdk::r4b::resources::{CarePlanActivity, CarePlanActivityDetail, CarePlanActivityDetailScheduled};
use fhir_sdk::r4b::types::{Period, Timing, TimingRepeat, TimingRepeatBounds};
use std::num::NonZeroU32;

use super::{built, date, date_time, each, meta, period, reference, text_concept};
use crate::domain::activities::{ActivityStatus, Cadence};
use crate::domain::ids::ClientId;
use crate::domain::CoupleStatus;
use crate::problem::AppResult;
use crate::store::activities::ActivityRow;
use crate::store::couples::CoupleRow;
use crate::store::milestones::MilestoneRow;

fn plan_status(s: CoupleStatus) -> RequestStatus {
    match s {
        CoupleStatus::Active => RequestStatus::Active,
        CoupleStatus::Paused => RequestStatus::OnHold,
        CoupleStatus::Closed => RequestStatus::Completed,
    }
}

fn activity_status(s: ActivityStatus) -> CarePlanActivityStatus {
    match s {
        ActivityStatus::Active => CarePlanActivityStatus::InProgress,
        ActivityStatus::Paused => CarePlanActivityStatus::OnHold,
        ActivityStatus::Completed => CarePlanActivityStatus::Completed,
        ActivityStatus::Retired => CarePlanActivityStatus::Stopped,
    }
}

/// The activity's window, as a FHIR period of days.
fn window(a: &ActivityRow) -> AppResult<Period> {
    let start = Some(fhir_sdk::DateTime::Date(date(&a.starts_on)?));
    let end = a.ends_on.as_deref().map(date).transpose()?.map(fhir_sdk::DateTime::Date);
    period(start, end)
}

/// `times_per_period` times a day or a week within the window; `once`: one time.
fn schedule(a: &ActivityRow) -> AppResult<Timing> {
    let times = NonZeroU32::new(u32::try_from(a.times_per_period).unwrap_or(1)).unwrap_or(NonZeroU32::MIN);
    let mut r = TimingRepeat::builder().bounds(TimingRepeatBounds::Period(window(a)?));
    r = match a.cadence {
        Cadence::Once => r.count(NonZeroU32::MIN),
        Cadence::Daily => r.frequency(times).period(1.0).period_unit("d".to_string()),
        Cadence::Weekly => r.frequency(times).period(1.0).period_unit("wk".to_string()),
    };
    built(Timing::builder().repeat(built(r.build())?).build())
}

fn activity(a: &ActivityRow, partners: &[ClientId]) -> AppResult<CarePlanActivity> {
    let performers = match &a.assignee_id {
        Some(one) => vec![reference("Patient", one)?],
        None => partners.iter().map(|p| reference("Patient", p)).collect::<AppResult<_>>()?,
    };
    let mut detail = CarePlanActivityDetail::builder()
        .kind("Task".to_string())
        .code(text_concept(&a.title)?)
        .status(activity_status(a.status))
        .scheduled(CarePlanActivityDetailScheduled::Timing(schedule(a)?))
        .performer(each(performers));
    if let Some(text) = &a.instructions {
        detail = detail.description(text.clone());
    }
    built(CarePlanActivity::builder().detail(built(detail.build())?).build())
}

pub fn care_plan(
    couple: &CoupleRow,
    partners: &[ClientId],
    milestones: &[MilestoneRow],
    activities: &[ActivityRow],
) -> AppResult<CarePlan> {
    let goals = milestones.iter().map(|m| reference("Goal", &m.id)).collect::<AppResult<Vec<_>>>()?;
    let acts = activities.iter().map(|a| activity(a, partners)).collect::<AppResult<Vec<_>>>()?;
    built(
        CarePlan::builder()
            .id(couple.id.to_string())
            .meta(meta(couple.version, couple.updated_at)?)
            .status(plan_status(couple.status))
            .intent("plan".to_string())
            .title("Trust-repair plan".to_string())
            .subject(reference("Group", &couple.id)?)
            .period(period(Some(date_time(couple.created_at)?), None)?)
            .created(date_time(couple.created_at)?)
            .goal(each(goals))
            .activity(each(acts))
            .build(),
    )
}
