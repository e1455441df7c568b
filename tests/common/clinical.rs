//! Test helpers for clients and couples: a cast of every audience, and audit checks.

use super::*;

/// Everyone a clients-and-couples test needs.
pub struct Cast {
    pub p: Practice,
    /// Assigned to `couple` and directly to `solo`.
    pub counselor: User,
    /// A counselor of the same practice, assigned to nothing.
    pub other: User,
    pub couple: Couple,
    /// A client seen individually by `counselor`.
    pub solo: String,
    /// Portal accounts of the couple's partners.
    pub partner_a: User,
    pub partner_b: User,
    /// Another practice, with a counselor of its own.
    pub foreign: Practice,
    pub foreign_counselor: User,
}

impl Cast {
    pub async fn new(app: &TestApp) -> Cast {
        let p = app.practice().await;
        let counselor = app.counselor(&p).await;
        let other = app.counselor(&p).await;
        let couple = app.couple(&p, &counselor).await;
        let solo = app.client(&p, Some(&counselor)).await;
        let partner_a = app.portal_user(&p, &couple.partners[0]).await;
        let partner_b = app.portal_user(&p, &couple.partners[1]).await;
        let foreign = app.practice().await;
        let foreign_counselor = app.counselor(&foreign).await;
        Cast { p, counselor, other, couple, solo, partner_a, partner_b, foreign, foreign_counselor }
    }
}

/// The last audit event about `resource_id`: (action, outcome, actor id).
pub async fn last_audit(app: &TestApp, resource_id: &str) -> (String, String, String) {
    app.audit_rows(resource_id).await.pop().expect("an audit event")
}

/// Asserts the last event about `resource_id` is a denial of `action` by `actor`.
#[track_caller]
pub fn assert_denied(event: (String, String, String), action: &str, actor: &User) {
    assert_eq!(event, (action.to_string(), "denied".to_string(), actor.id.clone()));
}

/// Events by one actor: (action, outcome, resource_type, resource_id), oldest first.
pub async fn audit_by(app: &TestApp, actor: &User) -> Vec<(String, String, String, Option<String>)> {
    use diesel::prelude::*;
    use mend::db::schema::audit_events as a;
    let id = actor.id.clone();
    app.sql(move |c| {
        a::table
            .filter(a::actor_id.eq(id))
            .select((a::action, a::outcome, a::resource_type, a::resource_id))
            .order(a::id.asc())
            .load(c)
            .expect("audit")
    })
    .await
}

/// Ids of a list answer, in order.
pub fn ids(body: &Value) -> Vec<String> {
    body["items"].as_array().expect("items").iter().map(|i| i["id"].as_str().expect("id").to_string()).collect()
}
