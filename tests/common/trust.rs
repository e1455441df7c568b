//! Test helpers for boundaries, milestones, progress and the portal: a small world of a
//! practice, its staff, a couple with portal accounts, another couple and another practice,
//! and direct inserts of sessions and notes (their endpoints are another area's).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use mend::db::new_id;
use mend::db::schema::{notes, session_attendees, sessions};
use reqwest::Method;
use serde_json::Value;

use super::*;

pub struct World {
    pub p: Practice,
    /// Assigned to `couple` (and to `other_couple`).
    pub counselor: User,
    /// Same practice, not assigned to `couple`.
    pub other_counselor: User,
    pub couple: Couple,
    /// Portal accounts of the couple's partners.
    pub a: User,
    pub b: User,
    /// Another couple of the same practice and counselor, with a portal account for one partner.
    pub other_couple: Couple,
    pub outsider: User,
    pub foreign: Practice,
    pub foreign_counselor: User,
}

impl World {
    pub async fn new(app: &TestApp) -> World {
        let p = app.practice().await;
        let counselor = app.counselor(&p).await;
        let other_counselor = app.counselor(&p).await;
        let couple = app.couple(&p, &counselor).await;
        let a = app.portal_user(&p, &couple.partners[0]).await;
        let b = app.portal_user(&p, &couple.partners[1]).await;
        let other_couple = app.couple(&p, &counselor).await;
        let outsider = app.portal_user(&p, &other_couple.partners[0]).await;
        let foreign = app.practice().await;
        let foreign_counselor = app.counselor(&foreign).await;
        World { p, counselor, other_counselor, couple, a, b, other_couple, outsider, foreign, foreign_counselor }
    }

    /// Staff who may not see the couple's clinical data: they get 404 and leave a denial.
    pub fn unassigned_staff(&self) -> Vec<&User> {
        vec![&self.other_counselor, &self.p.admin, &self.foreign.admin, &self.foreign_counselor]
    }

    /// Portal clients: a client token on a staff path is 403.
    pub fn clients(&self) -> Vec<&User> {
        vec![&self.a, &self.b, &self.outsider]
    }

    pub fn staff(&self) -> Vec<&User> {
        vec![&self.counselor, &self.other_counselor, &self.p.admin, &self.foreign.admin, &self.foreign_counselor]
    }
}

pub async fn call(app: &TestApp, method: Method, path: &str, user: Option<&User>, body: Option<&Value>) -> Resp {
    let mut req = app.req(method, path).auth(user);
    if let Some(b) = body {
        req = req.json(b);
    }
    req.send().await
}

/// Every audience but the assigned counselor, on one staff endpoint: unassigned staff (of this
/// and another practice) get 404 and a denied audit event on `resource_id`, except the
/// practice's admin on a client's clinical records (`/clients/{id}/…`): the admin sees the
/// client's record, so the refusal is 403 with its reason (audited the same way); portal clients
/// 403; no token 401.
pub async fn assert_staff_only(
    app: &TestApp,
    w: &World,
    method: Method,
    path: &str,
    body: Option<Value>,
    resource_id: &str,
) {
    for u in w.unassigned_staff() {
        let before = denials(app, resource_id, &u.id).await;
        let sees_the_client = u.id == w.p.admin.id && path.starts_with("/api/v1/clients/");
        let expected = if sees_the_client { 403 } else { 404 };
        call(app, method.clone(), path, Some(u), body.as_ref()).await.problem(expected);
        let after = denials(app, resource_id, &u.id).await;
        assert_eq!(after, before + 1, "{method} {path}: a denied event for {} on {resource_id}", u.id);
    }
    for u in w.clients() {
        call(app, method.clone(), path, Some(u), body.as_ref()).await.problem(403);
    }
    call(app, method.clone(), path, None, body.as_ref()).await.problem(401);
}

pub async fn denials(app: &TestApp, resource_id: &str, actor_id: &str) -> usize {
    app.audit_rows(resource_id)
        .await
        .iter()
        .filter(|(_, outcome, actor)| outcome == "denied" && actor == actor_id)
        .count()
}

/// Does the audit trail hold (action, outcome) by `actor_id` on `resource_id`?
pub async fn audited_as(app: &TestApp, resource_id: &str, action: &str, outcome: &str, actor_id: &str) -> bool {
    app.audit_rows(resource_id).await.iter().any(|(a, o, who)| a == action && o == outcome && who == actor_id)
}

pub struct NewSession<'a> {
    pub practice_id: &'a str,
    pub couple_id: Option<&'a str>,
    pub client_id: Option<&'a str>,
    pub counselor_id: &'a str,
    pub attendees: Vec<String>,
    pub starts_at: NaiveDateTime,
    pub status: &'a str,
    pub summary: Option<&'a str>,
    pub shared: bool,
}

pub fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").expect("instant")
}

/// Inserts a session with its attendees, straight into the database.
pub async fn insert_session(app: &TestApp, s: NewSession<'_>) -> String {
    let id = new_id();
    let (sid, pid) = (id.clone(), s.practice_id.to_string());
    let couple_id = s.couple_id.map(String::from);
    let client_id = s.client_id.map(String::from);
    let counselor_id = s.counselor_id.to_string();
    let (starts_at, status, summary, shared) =
        (s.starts_at, s.status.to_string(), s.summary.map(String::from), s.shared);
    let attendees = s.attendees.clone();
    app.sql(move |c| {
        let now = mend::db::now();
        diesel::insert_into(sessions::table)
            .values((
                sessions::id.eq(&sid),
                sessions::practice_id.eq(&pid),
                sessions::couple_id.eq(&couple_id),
                sessions::client_id.eq(&client_id),
                sessions::counselor_id.eq(&counselor_id),
                sessions::starts_at.eq(starts_at),
                sessions::ends_at.eq(starts_at + chrono::Duration::minutes(50)),
                sessions::duration_minutes.eq(50),
                sessions::modality.eq("telehealth"),
                sessions::status.eq(&status),
                sessions::summary_text.eq(&summary),
                sessions::summary_shared_at.eq(if shared { Some(now) } else { None }),
                sessions::version.eq(1i64),
                sessions::created_at.eq(now),
                sessions::updated_at.eq(now),
            ))
            .execute(c)
            .expect("session");
        for client in attendees {
            diesel::insert_into(session_attendees::table)
                .values((
                    session_attendees::session_id.eq(&sid),
                    session_attendees::client_id.eq(client),
                    session_attendees::practice_id.eq(&pid),
                ))
                .execute(c)
                .expect("attendee");
        }
    })
    .await;
    id
}

/// Inserts a mediation note on a session.
pub async fn insert_note(
    app: &TestApp,
    practice_id: &str,
    session_id: &str,
    couple_id: &str,
    author_id: &str,
    body: &str,
) {
    let (id, pid, sid, kid, aid, text) = (
        new_id(),
        practice_id.to_string(),
        session_id.to_string(),
        couple_id.to_string(),
        author_id.to_string(),
        body.to_string(),
    );
    app.sql(move |c| {
        let now = mend::db::now();
        diesel::insert_into(notes::table)
            .values((
                notes::id.eq(id),
                notes::practice_id.eq(pid),
                notes::session_id.eq(sid),
                notes::couple_id.eq(Some(kid)),
                notes::author_id.eq(aid),
                notes::body.eq(text),
                notes::topics.eq("[]"),
                notes::agreements.eq("[]"),
                notes::status.eq("draft"),
                notes::version.eq(1i64),
                notes::created_at.eq(now),
                notes::updated_at.eq(now),
            ))
            .execute(c)
            .expect("note");
    })
    .await;
}

/// A couple of two existing clients (so one client can be in two couples), assigned to
/// `counselor`.
pub async fn couple_of(app: &TestApp, p: &Practice, counselor: &User, a: &str, b: &str) -> Couple {
    use mend::store::couples;
    let id = new_id();
    let (pid, kid, partners, cid) = (p.id.clone(), id.clone(), [a.to_string(), b.to_string()], counselor.id.clone());
    app.sql(move |c| {
        let at = mend::db::now();
        let (pid, kid, cid) = (pid.parse().expect("id"), kid.parse().expect("id"), cid.parse().expect("id"));
        let partners = partners.map(|p| p.parse().expect("id"));
        let row = couples::NewCouple {
            id: kid,
            practice_id: pid,
            status: mend::domain::CoupleStatus::Active,
            presenting_concern: None,
            relationship_started_on: None,
            version: 1,
            created_at: at,
            updated_at: at,
        };
        couples::create(c, &row, &partners).expect("couple");
        couples::assign(c, &row.practice_id, &row.id, &cid).expect("assign");
    })
    .await;
    Couple { id, partners: [a.to_string(), b.to_string()] }
}

/// A proposed boundary for the couple, made through the API by the assigned counselor.
pub async fn boundary(app: &TestApp, w: &World, couple: &Couple, title: &str) -> Value {
    app.post(
        &format!("/api/v1/couples/{}/boundaries", couple.id),
        Some(&w.counselor),
        serde_json::json!({"title": title, "responsible_ids": [couple.partners[0]], "requested_by": couple.partners[1]}),
    )
    .await
    .expect(201)
    .json()
}

/// A milestone made through the API by the assigned counselor.
pub async fn milestone(app: &TestApp, w: &World, couple: &Couple, body: Value) -> Value {
    app.post(&format!("/api/v1/couples/{}/milestones", couple.id), Some(&w.counselor), body).await.expect(201).json()
}

pub fn ids(list: &Value) -> Vec<String> {
    list["items"].as_array().expect("items").iter().map(|i| i["id"].as_str().expect("id").to_string()).collect()
}
