use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use crate::audit::{audited, Action, Target};
use crate::auth::Staff;
use crate::db::now;
use crate::domain::ids::MilestoneId;
use crate::domain::patch::nullable;
use crate::domain::trust::{today_in, MilestoneStatus};
use crate::domain::value::parsed;
use crate::domain::value_trust::{CalendarDate, MilestoneDescription, Phase, Position, Title};
use crate::domain::webhooks::EventType;
use crate::domain::ResourceKind;
use crate::extract::ValidJson;
use crate::http::{ok_versioned, IfMatch};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::milestones::{self, MilestoneChanges, MilestoneRow};
use crate::store::practices;
use crate::views::trust::MilestoneView;
use crate::webhooks::outbox;

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMilestoneRequest {
    #[validate(custom(function = "Title::check"))]
    #[schema(value_type = Option<Title>)]
    pub title: Option<String>,
    /// Null clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(custom(function = "MilestoneDescription::check"))]
    #[schema(value_type = Option<MilestoneDescription>)]
    pub description: Option<Option<String>>,
    #[validate(custom(function = "Phase::check"))]
    #[schema(value_type = Option<Phase>)]
    pub phase: Option<String>,
    /// Moving to `achieved` records `achieved_on` (today in the practice's time zone unless
    /// given); moving away from `achieved` clears it.
    pub status: Option<MilestoneStatus>,
    /// Null clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(custom(function = "CalendarDate::check"))]
    #[schema(value_type = Option<CalendarDate>)]
    pub target_on: Option<Option<String>>,
    /// Only while the milestone is (or becomes) achieved.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(custom(function = "CalendarDate::check"))]
    #[schema(value_type = Option<CalendarDate>)]
    pub achieved_on: Option<Option<String>>,
    pub visible_to_clients: Option<bool>,
    #[validate(custom(function = "Position::check"))]
    #[schema(value_type = Option<Position>)]
    pub position: Option<i32>,
}

/// A change to one field: `None` leaves it, `Some(None)` clears it, `Some(Some(v))` sets it.
type Change<T> = Option<Option<T>>;

/// The checked request: each present field as its domain value.
struct Patch {
    title: Option<Title>,
    description: Change<MilestoneDescription>,
    phase: Option<Phase>,
    status: Option<MilestoneStatus>,
    target_on: Change<CalendarDate>,
    achieved_on: Change<CalendarDate>,
    visible_to_clients: Option<bool>,
    position: Option<Position>,
}

fn date_change(field: &str, value: Option<Option<String>>) -> AppResult<Change<CalendarDate>> {
    value.map(|v| v.map(|v| parsed(field, CalendarDate::parse(&v))).transpose()).transpose()
}

impl TryFrom<UpdateMilestoneRequest> for Patch {
    type Error = AppError;
    fn try_from(r: UpdateMilestoneRequest) -> AppResult<Patch> {
        Ok(Patch {
            title: r.title.map(|v| parsed("title", Title::parse(v))).transpose()?,
            description: r
                .description
                .map(|v| v.map(|v| parsed("description", MilestoneDescription::parse(v))).transpose())
                .transpose()?,
            phase: r.phase.map(|v| parsed("phase", Phase::parse(v))).transpose()?,
            status: r.status,
            target_on: date_change("target_on", r.target_on)?,
            achieved_on: date_change("achieved_on", r.achieved_on)?,
            visible_to_clients: r.visible_to_clients,
            position: r.position.map(|v| parsed("position", Position::parse(v))).transpose()?,
        })
    }
}

impl Patch {
    /// The row's change. `today` gives the practice's date when a milestone becomes achieved
    /// without one.
    fn into_changes(
        self,
        current: &MilestoneRow,
        today: impl FnOnce() -> AppResult<CalendarDate>,
    ) -> AppResult<MilestoneChanges> {
        let was = current.status;
        let status = self.status.unwrap_or(was);
        let achieved_on = if status == MilestoneStatus::Achieved {
            match (self.achieved_on, was) {
                (Some(Some(day)), _) => Some(Some(day)),
                (Some(None), _) => return Err(AppError::field("achieved_on", "an achieved milestone keeps its date")),
                (None, MilestoneStatus::Achieved) => None,
                (None, _) => Some(Some(today()?)),
            }
        } else {
            if matches!(self.achieved_on, Some(Some(_))) {
                return Err(AppError::field("achieved_on", "can only be set on an achieved milestone"));
            }
            Some(None)
        };
        Ok(MilestoneChanges {
            title: self.title,
            description: self.description,
            phase: self.phase,
            status: Some(status),
            target_on: self.target_on,
            achieved_on,
            visible_to_clients: self.visible_to_clients,
            position: self.position.map(Position::get),
            version: current.version + 1,
            updated_at: now(),
        })
    }
}

/// Edit, reorder, hide, achieve or set aside a milestone (template-made ones included).
#[utoipa::path(patch, operation_id = "update_milestone", path = "/api/v1/milestones/{id}", tag = "milestones", params(("id" = MilestoneId, Path)),
    request_body = UpdateMilestoneRequest, responses((status = 200, body = MilestoneView)))]
pub async fn update(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<MilestoneId>,
    if_match: IfMatch,
    body: ValidJson<UpdateMilestoneRequest>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let patch = Patch::try_from(body.into_inner())?;
    let row = state
        .db
        .run(move |conn| {
            audited(conn, &staff, Target::new(Action::Update, ResourceKind::Milestone, Some(&id)), |conn| {
                let current = milestones::find_visible(conn, &staff, &id)?;
                if_match.check(current.version)?;
                let changes = patch.into_changes(&current, || {
                    let tz = practices::own(conn, &staff.practice_id)?.timezone;
                    Ok(CalendarDate::from_date(today_in(&tz)))
                })?;
                let achieves =
                    current.status != MilestoneStatus::Achieved && changes.status == Some(MilestoneStatus::Achieved);
                if !milestones::update(conn, &id, current.version, &changes)? {
                    return Err(AppError::PreconditionFailed);
                }
                if achieves {
                    outbox::emit_event(conn, &staff.practice_id, EventType::MilestoneAchieved, &id)?;
                }
                Ok(milestones::find_visible(conn, &staff, &id)?)
            })
        })
        .await?;
    let version = row.version;
    Ok(ok_versioned(&MilestoneView::from(row), version))
}
