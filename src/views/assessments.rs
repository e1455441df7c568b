//! Outcome measures as each audience sees them. Staff views carry any assessment they may see;
//! the portal views are built only from [`OwnAssessment`], which only the store's own-scoped
//! queries return, so a partner's view can never hold the other partner's answers or score.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::instant;
use crate::domain::ids::{ClientId, CoupleId, UserId};
use crate::domain::instruments::{self, AssessmentId, HigherIs, Instrument};
use crate::store::assessments::{AssessmentRow, OwnAssessment};

#[derive(Serialize, ToSchema)]
pub struct OptionView {
    pub value: i32,
    pub label: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct ItemView {
    pub id: &'static str,
    pub text: &'static str,
    pub options: Vec<OptionView>,
    /// Scored in reverse (lowest + highest - value).
    pub reverse_scored: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ScoreRange {
    pub min: i32,
    pub max: i32,
    pub cutoff: f64,
    pub higher_is: HigherIs,
}

#[derive(Serialize, ToSchema)]
pub struct SubscaleView {
    pub key: &'static str,
    pub items: Vec<&'static str>,
}

/// A built-in questionnaire: its items, how it is scored, and whose it is.
#[derive(Serialize, ToSchema)]
pub struct InstrumentView {
    pub key: &'static str,
    pub title: &'static str,
    pub citation: &'static str,
    pub licence: &'static str,
    pub items: Vec<ItemView>,
    pub score: ScoreRange,
    pub subscales: Vec<SubscaleView>,
}

impl From<&'static Instrument> for InstrumentView {
    fn from(i: &'static Instrument) -> Self {
        let (min, max) = i.range();
        InstrumentView {
            key: i.key,
            title: i.title,
            citation: i.citation,
            licence: i.licence,
            items: i
                .items
                .iter()
                .map(|it| ItemView {
                    id: it.id,
                    text: it.text,
                    options: it.options.iter().map(|o| OptionView { value: o.value, label: o.label }).collect(),
                    reverse_scored: it.reverse,
                })
                .collect(),
            score: ScoreRange { min, max, cutoff: i.cutoff, higher_is: i.higher_is },
            subscales: i.subscales.iter().map(|s| SubscaleView { key: s.key, items: s.items.to_vec() }).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct InstrumentList {
    pub items: Vec<InstrumentView>,
}

fn band(r: &AssessmentRow) -> Option<&'static str> {
    let total = r.score?;
    instruments::find(&r.instrument).map(|i| i.band(total))
}

/// An assessment, for assigned staff.
#[derive(Serialize, ToSchema)]
pub struct AssessmentView {
    pub id: AssessmentId,
    pub instrument: String,
    pub client_id: ClientId,
    pub couple_id: Option<CoupleId>,
    /// `pending`, `completed` or `cancelled`.
    pub status: String,
    /// `YYYY-MM-DD`.
    pub due_on: Option<String>,
    /// `YYYY-MM-DD`: before this day the portal does not offer it; null: at once.
    pub opens_on: Option<String>,
    /// Item id -> value; null until completed.
    pub answers: Option<BTreeMap<String, i32>>,
    pub score: Option<i32>,
    /// Subscale key -> score (empty for instruments without subscales).
    pub subscales: BTreeMap<String, i32>,
    /// `below_cutoff` or `above_cutoff` (at or above); null until completed.
    pub band: Option<&'static str>,
    pub completed_at: Option<DateTime<Utc>>,
    /// The day a paper form was filled in, as entered by the counselor; null when answered in
    /// the portal (the day of `completed_at` in the practice's time zone counts then).
    pub completed_on: Option<String>,
    /// The user who entered the answers (the client's portal account, or a counselor).
    pub responded_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

impl From<AssessmentRow> for AssessmentView {
    fn from(r: AssessmentRow) -> Self {
        AssessmentView {
            answers: r.answers(),
            subscales: r.subscales(),
            band: band(&r),
            id: r.id,
            instrument: r.instrument,
            client_id: r.client_id,
            couple_id: r.couple_id,
            status: r.status,
            due_on: r.due_on,
            opens_on: r.opens_on,
            score: r.score,
            completed_at: r.completed_at.map(instant),
            completed_on: r.completed_on,
            responded_by: r.responded_by,
            created_at: instant(r.created_at),
            version: r.version,
        }
    }
}

/// The two assessments made for a couple, one per partner.
#[derive(Serialize, ToSchema)]
pub struct AssessmentPair {
    pub items: Vec<AssessmentView>,
}

#[derive(Serialize, ToSchema)]
pub struct AssessmentList {
    pub items: Vec<AssessmentView>,
    pub next_cursor: Option<String>,
}

#[derive(Serialize, ToSchema, Clone)]
pub struct Point {
    pub completed_at: DateTime<Utc>,
    /// The point's day (`YYYY-MM-DD`): the day a paper form was filled in, else the day of
    /// `completed_at` in the practice's time zone.
    pub completed_on: String,
    pub score: i32,
}

#[derive(Serialize, ToSchema)]
pub struct PartnerMeasures {
    pub client_id: ClientId,
    /// The partner's name (the name they go by and their last name).
    pub name: String,
    /// Oldest first.
    pub points: Vec<Point>,
    /// The first score; null before any.
    pub baseline: Option<i32>,
    pub latest: Option<i32>,
    /// `latest - baseline`.
    pub change: Option<i32>,
}

/// Each partner's scores on one instrument over time.
#[derive(Serialize, ToSchema)]
pub struct Measures {
    pub instrument: &'static str,
    pub partners: Vec<PartnerMeasures>,
    pub cutoff: f64,
}

impl Measures {
    /// `rows` are completed assessments of the couple on `instrument`; `partners` the couple's
    /// partners with their names; `zone` the practice's time zone. Points are in day order.
    pub fn new(
        instrument: &'static Instrument,
        partners: &[(ClientId, String)],
        rows: &[AssessmentRow],
        zone: &str,
    ) -> Measures {
        let partners = partners
            .iter()
            .map(|(client_id, name)| {
                let mine: Vec<AssessmentRow> = rows.iter().filter(|r| &r.client_id == client_id).cloned().collect();
                let points = points(&mine, zone);
                let baseline = points.first().map(|p| p.score);
                let latest = points.last().map(|p| p.score);
                let change = baseline.zip(latest).map(|(b, l)| l - b);
                PartnerMeasures { client_id: client_id.clone(), name: name.clone(), points, baseline, latest, change }
            })
            .collect();
        Measures { instrument: instrument.key, partners, cutoff: instrument.cutoff }
    }
}

/// The caller's own scores on one instrument over time (the portal): never the partner's.
#[derive(Serialize, ToSchema)]
pub struct OwnMeasures {
    pub instrument: &'static str,
    /// Oldest first, by day.
    pub points: Vec<Point>,
    /// The first score; null before any.
    pub baseline: Option<i32>,
    pub latest: Option<i32>,
    /// `latest - baseline`.
    pub change: Option<i32>,
    pub cutoff: f64,
}

impl OwnMeasures {
    /// `rows` are the caller's own completed assessments on `instrument`.
    pub fn new(instrument: &'static Instrument, rows: &[AssessmentRow], zone: &str) -> OwnMeasures {
        let points = points(rows, zone);
        let baseline = points.first().map(|p| p.score);
        let latest = points.last().map(|p| p.score);
        let change = baseline.zip(latest).map(|(b, l)| l - b);
        OwnMeasures { instrument: instrument.key, points, baseline, latest, change, cutoff: instrument.cutoff }
    }
}

/// The points of `rows` (completed assessments of one person) in day order: the day a paper
/// form was filled in, else the day of `completed_at` in `zone`.
fn points(rows: &[AssessmentRow], zone: &str) -> Vec<Point> {
    let tz = zone.parse::<chrono_tz::Tz>().unwrap_or(chrono_tz::UTC);
    let mut points: Vec<Point> = rows
        .iter()
        .filter_map(|r| {
            let at = instant(r.completed_at?);
            let on = r.completed_on.clone().unwrap_or_else(|| at.with_timezone(&tz).format("%Y-%m-%d").to_string());
            Some(Point { completed_at: at, completed_on: on, score: r.score? })
        })
        .collect();
    points.sort_by(|a, b| (&a.completed_on, a.completed_at).cmp(&(&b.completed_on, b.completed_at)));
    points
}

/// One of the caller's own assessments, in the portal.
#[derive(Serialize, ToSchema)]
pub struct PortalAssessment {
    pub id: AssessmentId,
    pub instrument: String,
    pub couple_id: Option<CoupleId>,
    /// `pending`, `completed` or `cancelled`.
    pub status: String,
    pub due_on: Option<String>,
    pub score: Option<i32>,
    pub band: Option<&'static str>,
    pub completed_at: Option<DateTime<Utc>>,
    /// The day a paper form was filled in, when the counselor entered one.
    pub completed_on: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<&OwnAssessment> for PortalAssessment {
    fn from(own: &OwnAssessment) -> Self {
        let r = own.row();
        PortalAssessment {
            id: r.id.clone(),
            instrument: r.instrument.clone(),
            couple_id: r.couple_id.clone(),
            status: r.status.clone(),
            due_on: r.due_on.clone(),
            score: r.score,
            band: band(r),
            completed_at: r.completed_at.map(instant),
            completed_on: r.completed_on.clone(),
            created_at: instant(r.created_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PortalAssessmentList {
    pub items: Vec<PortalAssessment>,
    pub next_cursor: Option<String>,
}

/// One of the caller's own assessments with the questionnaire and the caller's own answers.
#[derive(Serialize, ToSchema)]
pub struct PortalAssessmentDetail {
    #[serde(flatten)]
    pub assessment: PortalAssessment,
    /// The questionnaire to answer (null only for an instrument no longer built in).
    pub questionnaire: Option<InstrumentView>,
    /// The caller's own answers: item id -> value; null until completed.
    pub answers: Option<BTreeMap<String, i32>>,
    pub subscales: BTreeMap<String, i32>,
}

impl From<&OwnAssessment> for PortalAssessmentDetail {
    fn from(own: &OwnAssessment) -> Self {
        let r = own.row();
        PortalAssessmentDetail {
            assessment: PortalAssessment::from(own),
            questionnaire: instruments::find(&r.instrument).map(InstrumentView::from),
            answers: r.answers(),
            subscales: r.subscales(),
        }
    }
}
