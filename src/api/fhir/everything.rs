use actix_web::{web, HttpRequest, HttpResponse};

use super::every;
use crate::audit::{self, Action};
use crate::auth::Staff;
use crate::domain::date;
use crate::domain::ids::CoupleId;
use crate::domain::ResourceKind;
use crate::fhir::bundle::{searchset, Entry};
use crate::fhir::questionnaire_response::Completed;
use crate::fhir::{
    careplan, consent, docs, encounter, goal, group, observation, patient, questionnaire_response, respond,
};
use crate::problem::AppResult;
use crate::state::AppState;
use crate::store::assessments::{self, AssessmentRow, Of};
use crate::store::boundaries::ts_key;
use crate::store::clients;
use crate::store::releases::{self, Party, ReleaseRow};
use crate::store::sessions::{self, ListFilter, SessionRow};
use crate::views::releases::ReleaseView;

/// Everything of one couple, for the staff assigned to it: its Group, the partners' Patients,
/// the couple's Encounters (never a partner's individual sessions), its CarePlan and Goals,
/// each completed assessment as a QuestionnaireResponse and an Observation, and its releases as
/// Consents. Every reference in the Bundle resolves within it. Read with the JSON API's queries;
/// one audit event (`read` of the couple).
#[utoipa::path(get, path = "/fhir/R4/Group/{id}/$everything", tag = "fhir", params(("id" = CoupleId, Path)),
    responses((status = 200, description = "A searchset Bundle of the couple's resources", body = docs::FhirBundle,
        content_type = "application/fhir+json")))]
pub async fn everything(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<CoupleId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let base = super::base_url(&req);
    let entries = audit::read(
        &state.db,
        staff.0,
        Action::Read,
        ResourceKind::Couple,
        Some(id.to_string()),
        move |conn, staff| {
            let plan = super::careplan::plan(conn, staff, &id)?;
            let mut out = vec![Entry::new(&base, group::group(&plan.couple, &plan.partners))?];
            for partner in &plan.partners {
                out.push(Entry::new(&base, patient::patient(&clients::find_visible(conn, staff, partner)?)?)?);
            }
            let filter = ListFilter { couple_id: Some(id.clone()), ..ListFilter::default() };
            let sessions: Vec<SessionRow> = every("fhir-everything-sessions", 2, sessions::list_key, |page| {
                sessions::list(conn, staff, &filter, page)
            })?;
            for s in &sessions {
                out.push(Entry::new(&base, encounter::encounter(s)?)?);
            }
            let plan_resource = careplan::care_plan(&plan.couple, &plan.partners, &plan.milestones, &plan.activities)?;
            out.push(Entry::new(&base, plan_resource)?);
            for m in &plan.milestones {
                out.push(Entry::new(&base, goal::goal(m)?)?);
            }
            let assessed: Vec<AssessmentRow> = every(
                "fhir-everything-assessments",
                2,
                |r: &AssessmentRow| vec![ts_key(r.created_at), r.id.to_string()],
                |page| assessments::list_visible(conn, staff, Of::Couple(&id), None, page),
            )?;
            for a in assessed.iter().filter(|a| a.status == "completed") {
                let completed = Completed::of(a)?;
                out.push(Entry::new(&base, questionnaire_response::questionnaire_response(&completed))?);
                out.push(Entry::new(&base, observation::observation(&completed))?);
            }
            let released: Vec<ReleaseRow> = every(
                "fhir-everything-releases",
                2,
                |r: &ReleaseRow| vec![ts_key(r.created_at), r.id.clone()],
                |page| releases::list(conn, releases::visible(staff), Some(Party::Couple(&id)), page),
            )?;
            let ids: Vec<String> = released.iter().map(|r| r.id.clone()).collect();
            let auths = releases::authorizers(conn, &ids)?;
            let today = date::today();
            for r in released {
                out.push(Entry::new(&base, consent::consent(&ReleaseView::new(r, &auths, today))?)?);
            }
            Ok(out)
        },
    )
    .await?;
    let total = entries.len() as u32;
    respond(searchset(entries, super::self_url(&req), None, Some(total)), None)
}
