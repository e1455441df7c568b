use actix_web::{web, HttpResponse};
use uuid::Uuid;

use crate::audit::{self, Action};
use crate::auth::access::couple_visible;
use crate::auth::Staff;
use crate::db::now;
use crate::domain::ResourceKind;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::{activities, boundaries, milestones};
use crate::views::activities::{ActivityProgress, LogCounts};
use crate::views::instant;
use crate::views::trust::{
    BoundaryProgress, CheckInCounts, MilestoneProgress, PhaseProgress, ProgressView, SessionProgress,
};

/// Turns (phase, status, count, first position) groups into the milestone summary. Set-aside
/// milestones are no longer part of the plan and are not counted.
fn summarize(groups: Vec<milestones::PhaseCount>) -> MilestoneProgress {
    let mut phases: Vec<(i32, PhaseProgress)> = Vec::new();
    let (mut total, mut achieved, mut in_progress) = (0, 0, 0);
    for (phase, status, n, first) in groups {
        if status == "set_aside" {
            continue;
        }
        total += n;
        let done = if status == "achieved" { n } else { 0 };
        achieved += done;
        if status == "in_progress" {
            in_progress += n;
        }
        let first = first.unwrap_or(i32::MAX);
        match phases.iter_mut().find(|(_, p)| p.phase == phase) {
            Some((pos, p)) => {
                *pos = (*pos).min(first);
                p.total += n;
                p.achieved += done;
            }
            None => phases.push((first, PhaseProgress { phase, total: n, achieved: done })),
        }
    }
    phases.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.phase.cmp(&b.1.phase)));
    MilestoneProgress { total, achieved, in_progress, by_phase: phases.into_iter().map(|(_, p)| p).collect() }
}

/// Where a couple stands: milestones by phase, boundaries and check-ins of the last 30 days,
/// sessions, and activities with their logs of the last 30 days. A fixed number of aggregate queries, however long the couple's history.
#[utoipa::path(get, operation_id = "read_couple_progress", path = "/api/v1/couples/{id}/progress", tag = "milestones", params(("id" = Uuid, Path)),
    responses((status = 200, body = ProgressView)))]
pub async fn progress(state: web::Data<AppState>, staff: Staff, path: web::Path<Uuid>) -> AppResult<HttpResponse> {
    let couple_id = path.into_inner().to_string();
    let view = audit::read(
        &state.db,
        staff.0,
        Action::Read,
        ResourceKind::Progress,
        Some(couple_id.clone()),
        move |conn, staff| {
            if !couple_visible(conn, staff, &couple_id)? {
                return Err(AppError::NotFound);
            }
            let milestones = summarize(milestones::counts_by_phase(conn, &couple_id)?);
            let active = boundaries::active_count(conn, &couple_id)?;
            let since = now() - chrono::Duration::days(30);
            let (kept, broken) = boundaries::check_in_counts(conn, &couple_id, since)?;
            let (completed, next_at) = milestones::session_counts(conn, &couple_id)?;
            let today = crate::api::activities::practice_today(conn, &staff.practice_id)?;
            let since = today - chrono::Duration::days(29);
            let (done, missed) = activities::log_counts(conn, &couple_id, since, today)?;
            let activities = ActivityProgress {
                active: activities::active_count(conn, &couple_id)?,
                logs_30d: LogCounts { completed: done, missed },
            };
            Ok(ProgressView {
                milestones,
                boundaries: BoundaryProgress { active, check_ins_30d: CheckInCounts { kept, broken } },
                sessions: SessionProgress { completed, next_at: next_at.map(instant) },
                activities,
            })
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_skips_set_aside_and_orders_phases() {
        let g = |p: &str, s: &str, n, f| (p.to_string(), s.to_string(), n, Some(f));
        let s = summarize(vec![
            g("rebuild", "achieved", 1, 5),
            g("acknowledge", "achieved", 2, 0),
            g("acknowledge", "in_progress", 1, 1),
            g("rebuild", "set_aside", 3, 2),
            g("sustain", "set_aside", 1, 9),
        ]);
        assert_eq!((s.total, s.achieved, s.in_progress), (4, 3, 1));
        let phases: Vec<_> = s.by_phase.iter().map(|p| (p.phase.as_str(), p.total, p.achieved)).collect();
        assert_eq!(phases, vec![("acknowledge", 3, 2), ("rebuild", 1, 1)]);
    }
}
