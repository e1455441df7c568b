//! The security table: every operation of the live /openapi.json, sent by every identity that
//! must not see a couple's records, against that couple's resources. Any 2xx on a resource path,
//! or any of the couple's data in any answer, fails. New endpoints are covered as soon as they
//! are in the spec.

mod common;

use std::collections::BTreeMap;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

/// Strings placed in the couple's records; none may reach an identity that may not see them.
const CLINICAL: &[&str] = &[
    "MARKER-NOTE",
    "MARKER-SUMMARY",
    "MARKER-CONCERN",
    "MARKER-BOUNDARY",
    "MARKER-MILESTONE",
    "MARKER-ADDENDUM",
    // consent and release
    "MARKER-POLICY",
    "MARKER-RECIPIENT",
    "MARKER-PURPOSE",
    // Outcome measures: a partner's assessment (its due date) and answers.
    MEASURE_DUE,
    "\"answers\":{\"q1\"",
    // ---- letters and activities (issue 14) ----
    "MARKER-LETTER",
    "MARKER-DRAFT",
    "MARKER-COMMENT",
    "MARKER-ACTIVITY",
    "MARKER-REFLECTION",
    // ---- end letters and activities ----
];
const MEASURE_DUE: &str = "2199-12-31";
const DEMOGRAPHIC: &[&str] = &["MARKERFIRST", "MARKERLAST"];

struct World {
    app: TestApp,
    ids: BTreeMap<&'static str, String>,
    identities: Vec<(&'static str, Option<String>, bool)>, // (name, token, may see demographics)
    owner: User,
    practice: Practice,
    /// Partner a's portal account (the author of the world's letters).
    author: User,
}

async fn create(app: &TestApp, user: &User, path: &str, body: Value) -> Value {
    let r = app.post(path, Some(user), body).await;
    assert!(r.status == 201 || r.status == 200, "setup {path}: {} {}", r.status, r.text);
    r.json()
}

async fn world() -> World {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let counselor = app.counselor(&p).await;
    let other_counselor = app.counselor(&p).await;
    let other = app.practice().await;
    let other_practice_counselor = app.counselor(&other).await;
    // A webhook of the practice (no worker runs: its deliveries wait in the log).
    let webhook = create(
        &app,
        &p.admin,
        "/api/v1/webhooks",
        json!({"url": "https://hooks.example.com/mend", "event_types": ["client.created", "note.signed"]}),
    )
    .await;
    let webhook = webhook["id"].as_str().unwrap().to_string();

    let a = create(
        &app,
        &counselor,
        "/api/v1/clients",
        json!({"first_name": "MARKERFIRST", "last_name": "MARKERLAST", "email": "a-marker@example.org"}),
    )
    .await;
    let b =
        create(&app, &counselor, "/api/v1/clients", json!({"first_name": "MARKERFIRST", "last_name": "MARKERLAST"}))
            .await;
    let (a, b) = (a["id"].as_str().unwrap().to_string(), b["id"].as_str().unwrap().to_string());
    let couple = create(
        &app,
        &counselor,
        "/api/v1/couples",
        json!({"partner_ids": [a, b], "presenting_concern": "MARKER-CONCERN"}),
    )
    .await;
    let couple = couple["id"].as_str().unwrap().to_string();
    let session = create(&app, &counselor, "/api/v1/sessions", json!({"couple_id": couple, "starts_at": "2030-01-07T15:00:00Z", "duration_minutes": 50, "modality": "in_person"})).await;
    let session = session["id"].as_str().unwrap().to_string();
    app.put(&format!("/api/v1/sessions/{session}/summary"), Some(&counselor), json!({"text": "MARKER-SUMMARY"}))
        .await
        .expect(200);
    let note =
        create(&app, &counselor, &format!("/api/v1/sessions/{session}/notes"), json!({"body": "MARKER-NOTE"})).await;
    let note = note["id"].as_str().unwrap().to_string();
    app.post(&format!("/api/v1/notes/{note}/sign"), Some(&counselor), json!({})).await.expect(200);
    create(&app, &counselor, &format!("/api/v1/notes/{note}/addenda"), json!({"body": "MARKER-ADDENDUM"})).await;
    let boundary = create(
        &app,
        &counselor,
        &format!("/api/v1/couples/{couple}/boundaries"),
        json!({"title": "MARKER-BOUNDARY", "responsible_ids": [a]}),
    )
    .await;
    let boundary = boundary["id"].as_str().unwrap().to_string();
    let milestone = create(
        &app,
        &counselor,
        &format!("/api/v1/couples/{couple}/milestones"),
        json!({"title": "MARKER-MILESTONE", "phase": "acknowledge", "visible_to_clients": false}),
    )
    .await;
    let milestone = milestone["id"].as_str().unwrap().to_string();
    // Consent and release: the couple's policy and a release of its records.
    app.put(
        &format!("/api/v1/couples/{couple}/confidentiality-policy"),
        Some(&counselor),
        json!({"kind": "no_secrets", "text": "MARKER-POLICY"}),
    )
    .await
    .expect(200);
    let release = create(
        &app,
        &counselor,
        "/api/v1/releases",
        json!({"couple_id": couple, "recipient": {"name": "MARKER-RECIPIENT"}, "purpose": "MARKER-PURPOSE",
               "include": ["sessions", "summaries", "boundaries", "milestones"], "include_mediation_notes": true,
               "expires_on": "2100-01-01"}),
    )
    .await;
    let release = release["id"].as_str().unwrap().to_string();
    // ---- outcome measures ----
    let assessments = create(
        &app,
        &counselor,
        &format!("/api/v1/couples/{couple}/assessments"),
        json!({"instrument": "csi-4", "due_on": MEASURE_DUE}),
    )
    .await;
    let assessment = assessments["items"][0]["id"].as_str().unwrap().to_string();
    app.post(
        &format!("/api/v1/assessments/{assessment}/responses"),
        Some(&counselor),
        json!({"answers": {"q1": 6, "q2": 5, "q3": 5, "q4": 5}}),
    )
    .await
    .expect(200);
    // ---- end outcome measures ----
    // ---- letters and activities (issue 14) ----
    // Partner a writes: a draft (the author's alone) and a letter submitted, returned with a
    // comment and submitted again; the counselor assigns an activity and logs a reflection.
    let author = app.portal_user(&p, &a).await;
    let letter_body = |title: &str| json!({"couple_id": couple, "kind": "impact", "title": title, "body": title});
    create(&app, &author, "/api/v1/portal/letters", letter_body("MARKER-DRAFT")).await;
    let letter = create(&app, &author, "/api/v1/portal/letters", letter_body("MARKER-LETTER")).await;
    let letter = letter["id"].as_str().unwrap().to_string();
    create(&app, &author, &format!("/api/v1/portal/letters/{letter}/submit"), json!({})).await;
    create(&app, &counselor, &format!("/api/v1/letters/{letter}/return"), json!({"comment": "MARKER-COMMENT"})).await;
    create(&app, &author, &format!("/api/v1/portal/letters/{letter}/submit"), json!({})).await;
    let activity = create(
        &app,
        &counselor,
        &format!("/api/v1/couples/{couple}/activities"),
        json!({"title": "MARKER-ACTIVITY", "assigned_to": a, "cadence": "daily", "starts_on": "2026-01-01"}),
    )
    .await;
    let activity = activity["id"].as_str().unwrap().to_string();
    create(
        &app,
        &counselor,
        &format!("/api/v1/activities/{activity}/logs"),
        json!({"client_id": a, "done_on": "2026-01-02", "completed": true, "reflection": "MARKER-REFLECTION"}),
    )
    .await;
    // ---- end letters and activities ----

    // A client of the same practice who is not in the couple, with portal access.
    let stranger = app.client(&p, Some(&other_counselor)).await;
    let stranger = app.portal_user(&p, &stranger).await;
    let forged = {
        let keys = mend::auth::tokens::TokenKeys::new(&mend::config::Secret::new(
            b"not-the-secret-of-this-server-000000".to_vec(),
        ));
        keys.issue_access(&counselor.id, mend::domain::Role::Counselor, &p.id, None, "f").unwrap().0
    };
    let unassigned_admin = p.admin.clone();

    let mut ids = BTreeMap::new();
    ids.insert("clients", a.clone());
    ids.insert("partner_b", b.clone());
    ids.insert("couples", couple);
    ids.insert("sessions", session);
    ids.insert("notes", note);
    ids.insert("boundaries", boundary);
    ids.insert("milestones", milestone);
    ids.insert("releases", release);
    ids.insert("assessments", assessment);
    ids.insert("users", counselor.id.clone());
    ids.insert("letters", letter);
    ids.insert("activities", activity);
    let log = app.get(&format!("/api/v1/webhooks/{webhook}/deliveries"), Some(&p.admin)).await.expect(200).json();
    ids.insert("delivery_id", log["items"][0]["id"].as_str().expect("a delivery").to_string());
    ids.insert("webhooks", webhook);
    let identities = vec![
        ("anonymous", None, false),
        ("forged token", Some(forged), false),
        ("client of the practice, not in the couple", Some(stranger.token.clone()), false),
        ("other counselor", Some(other_counselor.token.clone()), false),
        ("unassigned admin", Some(unassigned_admin.token.clone()), true),
        ("other practice's admin", Some(other.admin.token.clone()), false),
        ("other practice's counselor", Some(other_practice_counselor.token.clone()), false),
    ];
    World { app, ids, identities, owner: counselor, practice: p, author }
}

/// A plausible body for an operation: every required property with a value of its type, so that
/// access (not validation) decides the answer where possible.
fn body_for(schema: &Value, spec: &Value, ids: &BTreeMap<&str, String>) -> Value {
    let schema = match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => &spec["components"]["schemas"][r.trim_start_matches("#/components/schemas/")],
        None => schema,
    };
    let mut out = serde_json::Map::new();
    let required: Vec<&str> =
        schema["required"].as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    for name in required {
        let value = match name {
            "partner_ids" => json!([ids["clients"], ids["partner_b"]]),
            "responsible_ids" | "attendee_ids" => json!([ids["clients"]]),
            "couple_id" => json!(ids["couples"]),
            "reported_by" | "requested_by" => json!(ids["clients"]),
            "starts_at" => json!("2030-02-01T10:00:00Z"),
            "duration_minutes" => json!(50),
            "modality" => json!("phone"),
            "phase" => json!("acknowledge"),
            "kept" => json!(true),
            // Activity templates have their own keys (the request's schema says which).
            "template"
                if schema["properties"]["template"]["$ref"]
                    .as_str()
                    .is_some_and(|r| r.ends_with("ActivityTemplateKey")) =>
            {
                json!("walk-together")
            }
            "template" => json!("trust-repair"),
            "version" => json!(1),
            "instrument" => json!("csi-4"),
            "answers" => json!({"q1": 1, "q2": 1, "q3": 1, "q4": 1}),
            "starts_on" => json!("2026-01-01"),
            "assigned_to" => json!("both"),
            "cadence" => json!("daily"),
            "done_on" => json!("2026-01-03"),
            "client_id" => json!(ids["clients"]),
            "completed" => json!(true),
            "comment" => json!("probe"),
            "role" => json!("counselor"),
            "event_types" => json!(["client.created"]),
            "url" => json!("https://hooks.example.com/probe"),
            "email" => json!(format!("{}@example.org", uuid::Uuid::new_v4())),
            "password" | "new_password" | "current_password" => json!("a long enough password"),
            _ => guess(&schema["properties"][name], spec, ids),
        };
        out.insert(name.to_string(), value);
    }
    // A session is for a couple or a client, neither required on its own.
    if schema["properties"].get("couple_id").is_some() && !out.contains_key("couple_id") {
        out.insert("couple_id".into(), json!(ids["couples"]));
    }
    Value::Object(out)
}

/// A value for a property no name above covers, from its schema: an enum's first value, an
/// empty array, a nested object's required fields, a far-future date, else a string.
fn guess(schema: &Value, spec: &Value, ids: &BTreeMap<&str, String>) -> Value {
    let resolved = match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => &spec["components"]["schemas"][r.trim_start_matches("#/components/schemas/")],
        None => schema,
    };
    if let Some(first) = resolved["enum"].as_array().and_then(|e| e.first()) {
        return first.clone();
    }
    match resolved["type"].as_str() {
        Some("array") => json!([]),
        Some("object") => body_for(resolved, spec, ids),
        Some("integer") => json!(1),
        Some("boolean") => json!(false),
        _ if resolved["format"] == "date" => json!("2100-01-01"),
        _ => json!("probe"),
    }
}

/// One operation of the live spec, made concrete against the world's resources.
struct Operation {
    method: Method,
    path: String,
    concrete: String,
    body: Option<Value>,
    kind: String,
    has_id: bool,
}

/// Every /api/v1 operation of the live /openapi.json except sign-in (/auth/*).
async fn operations(w: &World) -> Vec<Operation> {
    let spec = w.app.get("/openapi.json", None).await.expect(200).json();
    let mut out = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        if !path.starts_with("/api/v1/") || path.starts_with("/api/v1/auth/") {
            continue;
        }
        for (method, op) in item.as_object().unwrap() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            // /clients/{id}/portal-invite -> the resource kind is the segment before {id}.
            let segments: Vec<&str> = path.trim_start_matches("/api/v1/").split('/').collect();
            let has_id = path.contains("{id}") || path.contains("{couple_id}");
            let kind = match segments.iter().position(|s| *s == "{id}") {
                Some(i) if i > 0 => segments[i - 1],
                // A portal path names the couple it acts on: /portal/consents/{couple_id}/sign.
                _ if path.contains("{couple_id}") => "couples",
                _ => segments.first().copied().unwrap_or(""),
            };
            let concrete = match (has_id, w.ids.get(kind)) {
                (true, Some(id)) => path
                    .replace("{id}", id)
                    .replace("{couple_id}", id)
                    .replace("{instrument}", "csi-4")
                    .replace("{delivery_id}", &w.ids["delivery_id"]),
                (true, None) => panic!("no test resource for {path}: add one to the security table"),
                (false, _) => path.clone(),
            };
            let body = op["requestBody"]["content"]["application/json"]["schema"].clone();
            let body = if body.is_null() { None } else { Some(body_for(&body, &spec, &w.ids)) };
            let body = body.or_else(|| (method == Method::POST).then(|| json!({})));
            out.push(Operation { method, path: path.clone(), concrete, body, kind: kind.to_string(), has_id });
        }
    }
    out
}

async fn send(app: &TestApp, method: &Method, path: &str, token: Option<&str>, body: Option<&Value>) -> Resp {
    let mut req = app.req(method.clone(), path);
    if let Some(t) = token {
        req = req.bearer(t);
    }
    if let Some(b) = body {
        req = req.json(b);
    }
    req.send().await
}

#[tokio::test]
async fn a_deactivated_or_changed_user_is_refused_by_every_operation() {
    let w = world().await;
    let app = &w.app;
    let partner = w.author.clone();
    let promoted = app.counselor(&w.practice).await;
    let users =
        [("the couple's counselor", &w.owner), ("the practice's admin", &w.practice.admin), ("a partner", &partner)];
    // Controls: each token works before the change.
    for (who, u) in users.iter().chain([("a counselor made admin", &promoted)].iter()) {
        let me = if u.role == mend::domain::Role::Client { "/api/v1/portal/me" } else { "/api/v1/me" };
        assert_eq!(app.get(me, Some(u)).await.status, 200, "{who}");
    }
    let (ids, pid): (Vec<String>, String) = (users.iter().map(|(_, u)| u.id.clone()).collect(), promoted.id.clone());
    app.sql(move |c| {
        use diesel::prelude::*;
        use mend::db::schema::users::dsl as u;
        diesel::update(u::users.filter(u::id.eq_any(ids))).set(u::active.eq(false)).execute(c).unwrap();
        diesel::update(u::users.filter(u::id.eq(pid))).set(u::role.eq("admin")).execute(c).unwrap();
    })
    .await;
    let mut failures = Vec::new();
    let mut checked = 0;
    let ops = operations(&w).await;
    let before = fingerprint(app).await;
    assert!(before.iter().filter(|(_, n)| *n > 0).count() > 15, "the world is nearly empty: {before:?}");
    for op in ops {
        for (who, u) in users.iter().chain([("a counselor made admin", &promoted)].iter()) {
            let r = send(app, &op.method, &op.concrete, Some(&u.token), op.body.as_ref()).await;
            checked += 1;
            if r.status != 401 {
                failures.push(format!("{who}: {} {} -> {} {}", op.method, op.path, r.status, r.text));
            }
        }
    }
    assert!(checked > 100, "only {checked} requests were made");
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    // Writes check liveness inside their transaction: a refused write leaves nothing behind,
    // not even an audit event.
    assert_eq!(fingerprint(app).await, before, "a refused request changed the database");
}

/// Row counts of every table and the sum of every `version`: any write shows.
async fn fingerprint(app: &TestApp) -> Vec<(String, i64)> {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let counted = [
        "practices",
        "users",
        "invites",
        "refresh_tokens",
        "login_attempts",
        "idempotency_keys",
        "audit_events",
        "clients",
        "client_counselors",
        "couples",
        "couple_partners",
        "couple_counselors",
        "sessions",
        "session_attendees",
        "notes",
        "note_addenda",
        "boundaries",
        "boundary_acknowledgements",
        "boundary_check_ins",
        "milestones",
        "confidentiality_policies",
        "policy_signatures",
        "releases",
        "release_authorizers",
        "disclosures",
        "disclosure_subjects",
        "assessments",
        "letters",
        "letter_revisions",
        "activities",
        "activity_logs",
        "webhooks",
        "webhook_events",
        "webhook_deliveries",
    ];
    let versioned = [
        "practices",
        "users",
        "clients",
        "couples",
        "sessions",
        "notes",
        "boundaries",
        "milestones",
        "confidentiality_policies",
        "releases",
        "assessments",
        "letters",
        "activities",
        "webhooks",
    ];
    let queries: Vec<(String, String)> = counted
        .iter()
        .map(|t| (format!("{t} rows"), format!("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM {t}")))
        .chain(versioned.iter().map(|t| {
            (format!("{t} versions"), format!("SELECT CAST(COALESCE(SUM(version), 0) AS BIGINT) AS n FROM {t}"))
        }))
        .collect();
    app.sql(move |c| {
        use diesel::RunQueryDsl;
        queries
            .into_iter()
            .map(|(what, q)| {
                let n = diesel::sql_query(q).get_result::<N>(c).expect("count").n;
                (what, n)
            })
            .collect()
    })
    .await
}

#[tokio::test]
async fn no_identity_reaches_a_couple_it_may_not_see() {
    let w = world().await;
    let app = &w.app;
    // Controls: the assigned counselor does see the markers, so their absence below means something.
    let note = app.get(&format!("/api/v1/notes/{}", w.ids["notes"]), Some(&w.owner)).await.expect(200).text;
    assert!(note.contains("MARKER-NOTE") && note.contains("MARKER-ADDENDUM"));
    let couple = app.get(&format!("/api/v1/couples/{}", w.ids["couples"]), Some(&w.owner)).await.expect(200).text;
    assert!(couple.contains("MARKER-CONCERN"));
    let measured =
        app.get(&format!("/api/v1/assessments/{}", w.ids["assessments"]), Some(&w.owner)).await.expect(200).text;
    assert!(measured.contains(MEASURE_DUE) && measured.contains("\"answers\":{\"q1\""), "{measured}");
    let mut checked = 0;
    let mut failures = Vec::new();
    for op in operations(&w).await {
        let Operation { method, path, concrete, body, kind, has_id } = op;
        for (who, token, may_see_demographics) in &w.identities {
            let r = send(app, &method, &concrete, token.as_deref(), body.as_ref()).await;
            checked += 1;
            // Admins see client demographics, users and the audit trail by design, and find a
            // couple to assign it (its directory view: no clinical content, which the markers
            // below check).
            let admin_domain = *may_see_demographics
                && (kind == "clients"
                    || kind == "users"
                    || kind == "audit-events"
                    || kind == "webhooks"
                    || (path == "/api/v1/couples/{id}" && method.as_str() == "GET"));
            let own_user = kind == "users";
            if has_id && (200..300).contains(&r.status) && !admin_domain && !(own_user && *may_see_demographics) {
                failures.push(format!("{who}: {method} {path} -> {}", r.status));
            }
            let forbidden_markers: Vec<&&str> = CLINICAL
                .iter()
                .chain(if *may_see_demographics { [].iter() } else { DEMOGRAPHIC.iter() })
                .filter(|m| r.text.contains(**m))
                .collect();
            if !forbidden_markers.is_empty() {
                failures.push(format!("{who}: {method} {path} -> {} leaked {forbidden_markers:?}", r.status));
            }
            if (500..600).contains(&r.status) {
                failures.push(format!("{who}: {method} {path} -> {}", r.status));
            }
        }
    }
    assert!(checked > 100, "only {checked} requests were made");
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

/// Denials are decided and recorded first: every operation whose path names one of the couple's
/// records, sent by identities that may not see it with a malformed body (or a bad `limit`),
/// answers 404 (or the role's 403) and leaves a `denied` event with an id of its path, never the
/// 400/422 its body or query would otherwise get.
#[tokio::test]
async fn a_foreign_id_with_a_bad_body_or_query_is_denied_and_recorded() {
    let w = world().await;
    let app = &w.app;
    let mut failures = Vec::new();
    let mut checked = 0;
    let denied = |ids: Vec<String>| async move {
        let mut n = 0;
        for id in ids {
            n += app.audit_rows(&id).await.iter().filter(|(_, outcome, _)| outcome == "denied").count();
        }
        n
    };
    for op in operations(&w).await {
        if !op.has_id {
            continue;
        }
        let ids: Vec<String> = w.ids.values().filter(|id| op.concrete.contains(id.as_str())).cloned().collect();
        for (who, token, may_see_demographics) in &w.identities {
            // Anonymous and forged tokens are 401 before anything. An admin sees clients' records,
            // users, webhooks and a couple itself (to assign counselors): their refusals stand.
            let Some(token) = token else { continue };
            let admin_sees =
                matches!(op.kind.as_str(), "clients" | "users" | "webhooks") || op.path == "/api/v1/couples/{id}";
            if who.contains("forged") || (*may_see_demographics && admin_sees) {
                continue;
            }
            let before = denied(ids.clone()).await;
            let mut req = app.req(op.method.clone(), &format!("{}?limit=0", op.concrete)).bearer(token);
            if op.body.is_some() {
                req = req.body("application/json", "{\"no such field\": [1, 2], \"title\": 12}");
            }
            let r = req.send().await;
            checked += 1;
            if !matches!(r.status, 403 | 404) {
                failures.push(format!("{who}: {} {} -> {} {}", op.method, op.path, r.status, r.text));
            } else if denied(ids.clone()).await <= before {
                failures.push(format!("{who}: {} {} -> {} with no denied event", op.method, op.path, r.status));
            }
        }
    }
    assert!(checked > 100, "only {checked} requests were made");
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}
