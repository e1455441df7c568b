//! What the portal needs besides: `GET /portal/practice` (name, time zone, the caller's
//! counselors), `GET /portal/couples` (the caller's couples and the partner's first name) and
//! `GET /portal/measures/{instrument}` (the caller's own scores, never the partner's).

mod common;

use common::measures::*;
use common::trust::*;
use common::*;
use diesel::RunQueryDsl;
use serde_json::json;

async fn sql(app: &TestApp, sql: String) {
    app.sql(move |c| diesel::sql_query(sql).execute(c).expect("sql")).await;
}

#[tokio::test]
async fn the_practice_names_itself_its_zone_and_only_the_callers_counselors() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    sql(
        &app,
        format!(
            "UPDATE practices SET name = 'Riverside Counseling', timezone = 'America/Chicago' WHERE id = '{}'",
            w.p.id
        ),
    )
    .await;
    sql(&app, format!("UPDATE users SET display_name = 'Jordan Rivera' WHERE id = '{}'", w.counselor.id)).await;
    sql(&app, format!("UPDATE users SET display_name = 'Not Yours' WHERE id = '{}'", w.other_counselor.id)).await;
    let p = app.get("/api/v1/portal/practice", Some(&w.a)).await.expect(200);
    assert!(!p.text.contains("Not Yours"), "another counselor of the practice is not the caller's");
    let p = p.json();
    assert_eq!(
        p,
        json!({"name": "Riverside Counseling", "timezone": "America/Chicago", "counselors": [{"display_name": "Jordan Rivera"}]})
    );
    // A client's own counselor (individual work) counts too; each name once.
    let alone = app.client(&w.p, Some(&w.other_counselor)).await;
    let alone = app.portal_user(&w.p, &alone).await;
    let p = app.get("/api/v1/portal/practice", Some(&alone)).await.expect(200).json();
    assert_eq!(p["counselors"], json!([{"display_name": "Not Yours"}]));
    // Staff have their own endpoint; no token is 401; another practice sees its own.
    for staff in [&w.counselor, &w.p.admin] {
        app.get("/api/v1/portal/practice", Some(staff)).await.problem(403);
    }
    app.get("/api/v1/portal/practice", None).await.problem(401);
    let foreign_client = app.client(&w.foreign, None).await;
    let foreign_client = app.portal_user(&w.foreign, &foreign_client).await;
    let f = app.get("/api/v1/portal/practice", Some(&foreign_client)).await.expect(200).json();
    assert_ne!(f["name"], "Riverside Counseling");
    assert_eq!(f["counselors"], json!([]));
}

#[tokio::test]
async fn the_couples_are_the_callers_with_the_partners_first_name_only() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let [pa, pb] = w.couple.partners.clone();
    sql(&app, format!("UPDATE clients SET first_name = 'Devon', preferred_name = 'Dev', last_name = 'SECRET-LAST-NAME' WHERE id = '{pb}'")).await;
    let r = app.get("/api/v1/portal/couples", Some(&w.a)).await.expect(200);
    assert!(!r.text.contains("SECRET-LAST-NAME") && !r.text.contains(&w.other_couple.id));
    assert_eq!(
        r.json(),
        json!({"items": [{"id": w.couple.id, "partner": {"id": pb, "first_name": "Devon", "preferred_name": "Dev"}, "status": "active"}]})
    );
    let b = app.get("/api/v1/portal/couples", Some(&w.b)).await.expect(200).json();
    assert_eq!(b["items"][0]["partner"]["id"], json!(pa));
    // A client seen alone has no couple screens to show.
    let alone = app.client(&w.p, Some(&w.counselor)).await;
    let alone = app.portal_user(&w.p, &alone).await;
    assert_eq!(app.get("/api/v1/portal/couples", Some(&alone)).await.expect(200).json(), json!({"items": []}));
    app.get("/api/v1/portal/couples", Some(&w.counselor)).await.problem(403);
    app.get("/api/v1/portal/couples", None).await.problem(401);
    assert!(audited_as(&app, &pa, "list", "success", &w.a.id).await);
}

#[tokio::test]
async fn own_measures_hold_the_callers_scores_and_never_the_partners() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let [a1, b1] = assign(&app, &w, &w.couple).await;
    let [a2, b2] = assign(&app, &w, &w.couple).await;
    answer(&app, &w.a, &a1, csi4(1, 2, 2, 2)).await.expect(200); // 7
    answer(&app, &w.a, &a2, csi4(3, 3, 3, 3)).await.expect(200); // 12
    answer(&app, &w.b, &b1, csi4(5, 5, 5, 5)).await.expect(200); // 20
    answer(&app, &w.b, &b2, csi4(5, 5, 5, 4)).await.expect(200); // 19
    let m = app.get("/api/v1/portal/measures/csi-4", Some(&w.a)).await.expect(200);
    assert!(!m.text.contains("\"score\":20") && !m.text.contains("\"score\":19"), "the partner's scores: {}", m.text);
    let m = m.json();
    let scores: Vec<i64> = m["points"].as_array().unwrap().iter().map(|p| p["score"].as_i64().unwrap()).collect();
    assert_eq!(scores, [7, 12]);
    assert_eq!(
        (&m["baseline"], &m["latest"], &m["change"], &m["cutoff"]),
        (&json!(7), &json!(12), &json!(5), &json!(13.5))
    );
    assert!(m["points"][0]["completed_on"].as_str().unwrap().len() == 10);
    let mb = app.get("/api/v1/portal/measures/csi-4", Some(&w.b)).await.expect(200).json();
    assert_eq!(mb["latest"], json!(19));
    // None yet: no points; an unknown instrument is 404; staff 403; no token 401.
    let none = app.get("/api/v1/portal/measures/csi-4", Some(&w.outsider)).await.expect(200).json();
    assert_eq!((none["points"].as_array().unwrap().len(), &none["baseline"]), (0, &json!(null)));
    app.get("/api/v1/portal/measures/das", Some(&w.a)).await.problem(404);
    app.get("/api/v1/portal/measures/csi-4", Some(&w.counselor)).await.problem(403);
    app.get("/api/v1/portal/measures/csi-4", None).await.problem(401);
}
