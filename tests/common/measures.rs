//! Test helpers for outcome measures: assessments made through the API, answers, and what the
//! database holds for an assessment (to check that a refused response stored nothing).

use diesel::prelude::*;
use mend::db::schema::assessments as a;
use serde_json::{json, Value};

use super::trust::World;
use super::*;

/// CSI-4 answers, item 1 first.
pub fn csi4(q1: i64, q2: i64, q3: i64, q4: i64) -> Value {
    json!({"answers": {"q1": q1, "q2": q2, "q3": q3, "q4": q4}})
}

/// The assigned counselor assigns CSI-4 to both partners of `couple`: [partner 0's, partner 1's].
pub async fn assign(app: &TestApp, w: &World, couple: &Couple) -> [String; 2] {
    let body = app
        .post(&format!("/api/v1/couples/{}/assessments", couple.id), Some(&w.counselor), json!({"instrument": "csi-4"}))
        .await
        .expect(201)
        .json();
    let items = body["items"].as_array().expect("items");
    let of = |client: &str| {
        items
            .iter()
            .find(|i| i["client_id"] == client)
            .and_then(|i| i["id"].as_str())
            .expect("one assessment per partner")
            .to_string()
    };
    [of(&couple.partners[0]), of(&couple.partners[1])]
}

/// A partner answers their own assessment in the portal.
pub async fn answer(app: &TestApp, user: &User, id: &str, body: Value) -> Resp {
    app.post(&format!("/api/v1/portal/assessments/{id}/responses"), Some(user), body).await
}

/// (status, answers, score, version) as stored.
pub async fn stored(app: &TestApp, id: &str) -> (String, Option<String>, Option<i32>, i64) {
    let id = id.to_string();
    app.sql(move |c| {
        a::table
            .filter(a::id.eq(id))
            .select((a::status, a::answers, a::score, a::version))
            .first::<(String, Option<String>, Option<i32>, i64)>(c)
            .expect("assessment")
    })
    .await
}

/// Untouched: still pending, no answers, no score, version 1.
pub async fn assert_untouched(app: &TestApp, id: &str) {
    assert_eq!(stored(app, id).await, ("pending".to_string(), None, None, 1), "assessment {id} was written");
}
