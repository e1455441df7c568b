//! Helpers for the sessions, notes and query-count tests. Included by those files with
//! `#[path = "common/sessions_helpers.rs"] mod sessions_helpers;` (no line in common/mod.rs).
#![allow(dead_code)]

use serde_json::{json, Value};

use crate::common::*;

/// Everyone a clinical endpoint must be tried with.
pub struct World {
    pub app: TestApp,
    pub p: Practice,
    /// Assigned to the couple.
    pub counselor: User,
    /// Same practice, not assigned.
    pub other: User,
    pub couple: Couple,
    /// Portal accounts of the two partners.
    pub partner_a: User,
    pub partner_b: User,
    /// Another practice's admin and counselor.
    pub foreign_admin: User,
    pub foreign_counselor: User,
}

impl World {
    pub async fn new() -> World {
        let app = TestApp::spawn().await;
        let p = app.practice().await;
        let counselor = app.counselor(&p).await;
        let other = app.counselor(&p).await;
        let couple = app.couple(&p, &counselor).await;
        let partner_a = app.portal_user(&p, &couple.partners[0]).await;
        let partner_b = app.portal_user(&p, &couple.partners[1]).await;
        let q = app.practice().await;
        let foreign_counselor = app.counselor(&q).await;
        World { app, p, counselor, other, couple, partner_a, partner_b, foreign_admin: q.admin, foreign_counselor }
    }

    pub fn admin(&self) -> &User {
        &self.p.admin
    }

    /// Staff who may not see the couple's clinical data: (name, user).
    pub fn outsiders(&self) -> Vec<(&'static str, &User)> {
        vec![
            ("other counselor", &self.other),
            ("unassigned admin", &self.p.admin),
            ("other practice admin", &self.foreign_admin),
            ("other practice counselor", &self.foreign_counselor),
        ]
    }

    /// Portal clients (the couple's own partners): 403 on every staff path.
    pub fn clients(&self) -> Vec<(&'static str, &User)> {
        vec![("portal client", &self.partner_a), ("partner", &self.partner_b)]
    }

    /// A couple session by the assigned counselor in slot `n` (one hour apart).
    pub async fn session(&self, n: u32) -> Value {
        self.app
            .post("/api/v1/sessions", Some(&self.counselor), couple_session(&self.couple.id, &slot(n)))
            .await
            .expect(201)
            .json()
    }

    /// A draft note by the assigned counselor on `session_id`.
    pub async fn note(&self, session_id: &str, body: &str) -> Value {
        self.app
            .post(&format!("/api/v1/sessions/{session_id}/notes"), Some(&self.counselor), json!({"body": body}))
            .await
            .expect(201)
            .json()
    }

    /// Asserts that `user`'s last event on `resource_id` is a denial.
    pub async fn assert_denied(&self, resource_id: &str, user: &User) {
        let rows = self.app.audit_rows(resource_id).await;
        assert!(
            rows.iter().any(|(_, outcome, actor)| outcome == "denied" && actor == &user.id),
            "no denied event for {resource_id} by {}: {rows:?}",
            user.id
        );
    }
}

/// Slot `n`: 2030-01-01 + n hours, UTC.
pub fn slot(n: u32) -> String {
    let t = chrono::NaiveDate::from_ymd_opt(2030, 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap()
        + chrono::Duration::hours(n as i64);
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub fn couple_session(couple_id: &str, starts_at: &str) -> Value {
    json!({"couple_id": couple_id, "starts_at": starts_at, "duration_minutes": 50, "modality": "in_person"})
}

pub fn id_of(v: &Value) -> String {
    v["id"].as_str().expect("id").to_string()
}
