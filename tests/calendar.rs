//! The counselor's calendar and the life of a session: `GET /sessions?from=&to=` with calendar
//! dates read in the practice's time zone (`to` inclusive), `?counselor_id=` for admins, and
//! sessions completed (or missed) only once they have begun.

mod common;
#[path = "common/sessions_helpers.rs"]
mod sessions_helpers;

use common::trust::{at, insert_session, NewSession};
use serde_json::json;
use sessions_helpers::*;

const SESSIONS: &str = "/api/v1/sessions";

async fn ids(w: &World, query: &str, who: &common::User) -> Vec<String> {
    let page = w.app.get(&format!("{SESSIONS}?limit=100&{query}"), Some(who)).await.expect(200).json();
    page["items"].as_array().unwrap().iter().map(id_of).collect()
}

#[tokio::test]
async fn calendar_dates_are_days_in_the_practice_time_zone() {
    let w = World::new().await;
    let c = &w.counselor;
    w.app.patch("/api/v1/practice", Some(w.admin()), json!({"timezone": "America/New_York"})).await.expect(200);
    // 2030-01-01 in New York (UTC-5) runs from 05:00Z to 05:00Z the next day.
    let before = id_of(&w.session(4).await);
    let first = id_of(&w.session(5).await);
    let last = id_of(&w.session(28).await);
    let after = id_of(&w.session(29).await);
    assert_eq!(ids(&w, "from=2030-01-01&to=2030-01-01", c).await, vec![first.clone(), last.clone()]);
    assert_eq!(ids(&w, "from=2030-01-01", c).await, vec![first.clone(), last.clone(), after.clone()]);
    assert_eq!(ids(&w, "to=2030-01-01", c).await, vec![before.clone(), first.clone(), last.clone()]);
    assert_eq!(ids(&w, "from=2029-12-31&to=2029-12-31", c).await, vec![before.clone()]);
    // Instants keep their meaning (to exclusive), and the two forms mix.
    assert_eq!(ids(&w, &format!("from=2030-01-01&to={}", slot(28)), c).await, vec![first.clone()]);
    // In UTC the same dates are other days.
    w.app.patch("/api/v1/practice", Some(w.admin()), json!({"timezone": "UTC"})).await.expect(200);
    assert_eq!(ids(&w, "from=2030-01-01&to=2030-01-01", c).await, vec![before, first]);
    assert_eq!(ids(&w, "from=2030-01-02&to=2030-01-02", c).await, vec![last, after]);
    // Not a date nor an instant: 422 naming the field.
    for bad in ["from=2030-02-30", "to=2030-1-1", "from=tomorrow", "to=2030-01-01T25:00:00Z", "from=2030-01-01%00"] {
        let p = w.app.get(&format!("{SESSIONS}?{bad}"), Some(c)).await.problem(422);
        let field = bad.split('=').next().unwrap();
        assert!(p["errors"].as_array().unwrap().iter().any(|e| e["field"] == field), "{bad}: {p}");
    }
}

#[tokio::test]
async fn admins_filter_by_any_counselor_of_the_practice() {
    let w = World::new().await;
    let mine = id_of(&w.session(1).await);
    // An admin names any counselor of the practice: 200, still only sessions the admin may see.
    assert!(ids(&w, &format!("counselor_id={}", w.counselor.id), w.admin()).await.is_empty());
    assert!(ids(&w, &format!("counselor_id={}", w.other.id), w.admin()).await.is_empty());
    // Assigned to the couple, the admin sees that counselor's sessions of it.
    let ids_body = json!({"counselor_ids": [w.counselor.id, w.admin().id]});
    w.app.patch(&format!("/api/v1/couples/{}", w.couple.id), Some(w.admin()), ids_body).await.expect(200);
    assert_eq!(ids(&w, &format!("counselor_id={}", w.counselor.id), w.admin()).await, vec![mine]);
    // A counselor of another practice, or a client, is a 404.
    let foreign = format!("{SESSIONS}?counselor_id={}", w.foreign_counselor.id);
    w.app.get(&foreign, Some(w.admin())).await.problem(404);
    let client = format!("{SESSIONS}?counselor_id={}", w.couple.partners[0]);
    w.app.get(&client, Some(w.admin())).await.problem(404);
}

#[tokio::test]
async fn sessions_are_completed_or_missed_only_once_they_have_begun() {
    let w = World::new().await;
    let c = Some(&w.counselor);
    let future = id_of(&w.session(1).await);
    let path = format!("{SESSIONS}/{future}");
    for status in ["completed", "no_show"] {
        let p = w.app.patch(&path, c, json!({"status": status})).await.problem(409);
        assert!(p["detail"].as_str().unwrap().contains("has not begun"), "{p}");
    }
    let v = w.app.get(&path, c).await.expect(200).json();
    assert_eq!((v["status"].clone(), v["version"].clone()), (json!("scheduled"), json!(1)), "nothing written");
    // Cancelled any time before.
    w.app.patch(&path, c, json!({"status": "cancelled", "cancellation_reason": "ill"})).await.expect(200);

    // Once begun (here: began ten minutes ago, still running), completed and no_show are fine.
    let began = (chrono::Utc::now() - chrono::Duration::minutes(10)).format("%Y-%m-%dT%H:%M:%S").to_string();
    for status in ["completed", "no_show"] {
        let id = insert_session(
            &w.app,
            NewSession {
                practice_id: &w.p.id,
                couple_id: Some(&w.couple.id),
                client_id: None,
                counselor_id: &w.counselor.id,
                attendees: w.couple.partners.to_vec(),
                starts_at: at(&began),
                status: "scheduled",
                summary: None,
                shared: false,
            },
        )
        .await;
        let v = w.app.patch(&format!("{SESSIONS}/{id}"), c, json!({"status": status})).await.expect(200).json();
        assert_eq!(v["status"], status);
    }
    // Moving a session into the future while completing it is refused too.
    let id = id_of(&w.session(3).await);
    let body = json!({"status": "completed", "starts_at": slot(5)});
    w.app.patch(&format!("{SESSIONS}/{id}"), c, body).await.problem(409);
}
