//! Who has seen my record: `GET /clients/{id}/access-report` (admin) and
//! `GET /portal/access-report` (the client's own) list exactly the sealed events whose subjects
//! include the client, for every audience; a client's report never names another client or
//! shows content.

mod common;

use std::collections::BTreeSet;

use common::clinical::{last_audit, Cast};
use common::seal::seal;
use common::*;
use serde_json::{json, Value};

/// Traffic about the cast's records; answers the events that must be in partner A's report:
/// ids of events about the couple, its session, or partner A's own record.
async fn traffic(app: &TestApp, cast: &Cast) -> BTreeSet<String> {
    let couple = &cast.couple.id;
    let [a, b] = &cast.couple.partners;
    app.get(&format!("/api/v1/couples/{couple}"), Some(&cast.counselor)).await.expect(200);
    app.get(&format!("/api/v1/couples/{couple}"), Some(&cast.other)).await.expect(404);
    let starts_at = format!("{}T10:00:00Z", (chrono::Utc::now() + chrono::Duration::days(2)).date_naive());
    let body = json!({"couple_id": couple, "starts_at": starts_at, "duration_minutes": 60, "modality": "phone"});
    let session = app.post("/api/v1/sessions", Some(&cast.counselor), body).await.expect(201).json();
    let session = session["id"].as_str().expect("id").to_string();
    app.get(&format!("/api/v1/sessions/{session}"), Some(&cast.counselor)).await.expect(200);
    app.get("/api/v1/portal/me", Some(&cast.partner_a)).await.expect(200);
    app.get("/api/v1/portal/me", Some(&cast.partner_b)).await.expect(200);
    app.get(&format!("/api/v1/clients/{a}"), Some(&cast.p.admin)).await.expect(200);
    app.get(&format!("/api/v1/clients/{b}"), Some(&cast.p.admin)).await.expect(200);
    app.get(&format!("/api/v1/clients/{}", cast.solo), Some(&cast.counselor)).await.expect(200);
    // Another practice asking for partner A: denied, but not an event of A's practice.
    app.get(&format!("/api/v1/clients/{a}"), Some(&cast.foreign_counselor)).await.expect(404);
    let (pid, ids) = (cast.p.id.clone(), [couple.clone(), session, a.clone()]);
    app.sql(move |c| {
        use diesel::prelude::*;
        use mend::db::schema::audit_events as e;
        e::table
            .filter(e::practice_id.eq(pid))
            .filter(e::resource_id.eq_any(ids))
            .select(e::id)
            .load::<String>(c)
            .expect("events")
            .into_iter()
            .collect()
    })
    .await
}

fn ids_of(body: &Value, field: &str) -> Vec<String> {
    body["items"].as_array().expect("items").iter().map(|i| i[field].as_str().expect("id").to_string()).collect()
}

#[tokio::test]
async fn the_admin_report_lists_exactly_the_events_about_the_client() {
    let app = TestApp::spawn().await;
    let cast = Cast::new(&app).await;
    let expected = traffic(&app, &cast).await;
    let a = &cast.couple.partners[0];
    let path = format!("/api/v1/clients/{a}/access-report?limit=100");

    // Before sealing, nothing is listed yet (subjects are written when events are sealed).
    let before = app.get(&path, Some(&cast.p.admin)).await.expect(200).json();
    assert!(before["items"].as_array().expect("items").is_empty(), "{before}");
    seal(&app).await;

    let body = app.get(&path, Some(&cast.p.admin)).await.expect(200).json();
    let listed: Vec<String> = ids_of(&body, "id");
    // The first report's own read (of client A) is an event about A too, sealed above.
    let mut expected = expected;
    let first_report: Vec<String> = {
        let aa = a.clone();
        app.sql(move |c| {
            use diesel::prelude::*;
            use mend::db::schema::audit_events as e;
            e::table
                .filter(e::resource_id.eq(aa))
                .filter(e::action.eq("list"))
                .select(e::id)
                .order(e::id)
                .load::<String>(c)
                .expect("events")
        })
        .await
    };
    expected.insert(first_report[0].clone());
    assert_eq!(listed.iter().cloned().collect::<BTreeSet<_>>(), expected, "{body}");
    assert_eq!(listed.len(), expected.len(), "each event once");
    let mut sorted = listed.clone();
    sorted.sort_by(|x, y| y.cmp(x));
    assert_eq!(listed, sorted, "newest first");
    let items = body["items"].as_array().expect("items");
    assert!(items.iter().any(|i| i["outcome"] == "denied" && i["actor_id"] == json!(cast.other.id)));
    assert!(items.iter().all(|i| i["actor_name"] == "Test User" || i["actor_name"] == "Portal User"), "{body}");

    // Pages of two give the same events.
    let mut paged = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut p = format!("/api/v1/clients/{a}/access-report?limit=2");
        if let Some(c) = &cursor {
            p.push_str(&format!("&cursor={c}"));
        }
        let page = app.get(&p, Some(&cast.p.admin)).await.expect(200).json();
        paged.extend(ids_of(&page, "id"));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(paged, listed);
    // A window before everything is empty.
    let old = app.get(&format!("/api/v1/clients/{a}/access-report?to=2020-01-01T00:00:00Z"), Some(&cast.p.admin)).await;
    assert!(old.expect(200).json()["items"].as_array().expect("items").is_empty());
    // Reading the report is itself audited, about the client.
    assert_eq!(last_audit(&app, a).await, ("list".to_string(), "success".to_string(), cast.p.admin.id.clone()));
}

#[tokio::test]
async fn only_admins_of_the_practice_get_a_clients_report() {
    let app = TestApp::spawn().await;
    let cast = Cast::new(&app).await;
    let a = &cast.couple.partners[0];
    let path = format!("/api/v1/clients/{a}/access-report");
    for user in [&cast.counselor, &cast.other, &cast.foreign_counselor] {
        app.get(&path, Some(user)).await.problem(403);
    }
    for user in [&cast.partner_a, &cast.partner_b] {
        app.get(&path, Some(user)).await.problem(403);
    }
    app.get(&path, None).await.problem(401);
    // Another practice's admin: 404, audited as denied, even with a bad query.
    for query in ["", "?limit=0", "?from=yesterday"] {
        app.get(&format!("{path}{query}"), Some(&cast.foreign.admin)).await.problem(404);
        let event = last_audit(&app, a).await;
        assert_eq!(event, ("list".into(), "denied".into(), cast.foreign.admin.id.clone()), "{query}");
    }
    // The practice's own admin with a bad query: the query's error.
    app.get(&format!("{path}?limit=0"), Some(&cast.p.admin)).await.problem(422);
    app.get(&format!("{path}?from=yesterday"), Some(&cast.p.admin)).await.problem(400);
    app.get(&path, Some(&cast.p.admin)).await.expect(200);
}

#[tokio::test]
async fn a_clients_own_report_names_staff_only_and_shows_no_content() {
    let app = TestApp::spawn().await;
    let cast = Cast::new(&app).await;
    let expected = traffic(&app, &cast).await;
    seal(&app).await;
    let body = app.get("/api/v1/portal/access-report?limit=100", Some(&cast.partner_a)).await.expect(200).json();
    let items = body["items"].as_array().expect("items");
    // Exactly the events about A's records (the same set the admin sees), newest first.
    let admin = app
        .get(&format!("/api/v1/clients/{}/access-report?limit=100", cast.couple.partners[0]), Some(&cast.p.admin))
        .await
        .expect(200)
        .json();
    let admin_items = admin["items"].as_array().expect("items");
    assert_eq!(items.len(), expected.len(), "{body}");
    assert_eq!(items.len(), admin_items.len());
    for (mine, theirs) in items.iter().zip(admin_items) {
        assert_eq!(
            (&mine["at"], &mine["action"], &mine["outcome"]),
            (&theirs["at"], &theirs["action"], &theirs["outcome"])
        );
    }
    for item in items {
        let keys: BTreeSet<&str> = item.as_object().expect("object").keys().map(String::as_str).collect();
        let allowed: BTreeSet<&str> =
            ["at", "actor_name", "actor_role", "by_you", "action", "resource_type", "resource_id", "outcome"].into();
        assert_eq!(keys, allowed);
        match item["actor_role"].as_str() {
            Some("client") => assert!(item["actor_name"].is_null(), "a client is never named: {item}"),
            _ => assert_eq!(item["actor_name"], "Test User"),
        }
    }
    assert!(items.iter().any(|i| i["by_you"] == true && i["resource_type"] == "client"));
    let text = body.to_string();
    let other = &cast.couple.partners[1];
    for secret in [other.as_str(), cast.solo.as_str(), cast.partner_b.id.as_str(), cast.counselor.id.as_str(), "Alex"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    // B's own report is B's: it has B's portal read, not A's.
    let b = app.get("/api/v1/portal/access-report?limit=100", Some(&cast.partner_b)).await.expect(200).json();
    assert!(!b.to_string().contains(&cast.couple.partners[0]));
    assert_eq!(b["items"].as_array().expect("items").iter().filter(|i| i["by_you"] == true).count(), 1);
}

#[tokio::test]
async fn only_clients_read_a_portal_report() {
    let app = TestApp::spawn().await;
    let cast = Cast::new(&app).await;
    for user in [&cast.p.admin, &cast.counselor, &cast.other, &cast.foreign_counselor] {
        app.get("/api/v1/portal/access-report", Some(user)).await.problem(403);
    }
    app.get("/api/v1/portal/access-report", None).await.problem(401);
    app.get("/api/v1/portal/access-report?limit=101", Some(&cast.partner_a)).await.problem(422);
    let body = app.get("/api/v1/portal/access-report", Some(&cast.partner_a)).await.expect(200).json();
    assert_eq!(body["next_cursor"], Value::Null);
}

/// The portal page has the screen: a link in its navigation, and the screen reads the report.
#[tokio::test]
async fn the_portal_page_shows_who_has_seen_my_record() {
    let app = TestApp::spawn().await;
    let page = app.get("/portal", None).await.expect(200).text;
    assert!(page.contains("<a href=\"#/access\">Who has seen my record</a>"));
    let js = app.get("/portal/app.js", None).await.expect(200).text;
    assert!(js.contains("import * as access from \"./access.js\";"));
    assert!(js.contains("access: { title: \"Who has seen my record\", screen: access"));
    let screen = app.get("/portal/access.js", None).await.expect(200).text;
    assert!(screen.contains("api.call(\"GET\", \"/portal/access-report?limit=100\")"));
}
