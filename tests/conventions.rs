//! The API conventions, through real endpoints: problem+json for every error, request ids,
//! security headers, pagination, ETag/If-Match, Idempotency-Key, health and docs.

mod common;

use common::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn health_ready_docs_and_openapi_are_public() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/healthz", None).await.expect(200).json()["status"], "ok");
    assert_eq!(app.get("/readyz", None).await.expect(200).json()["status"], "ready");
    let spec = app.get("/openapi.json", None).await.expect(200).json();
    assert_eq!(spec["openapi"], "3.1.0");
    let docs = app.get("/docs/", None).await.expect(200);
    assert!(docs.text.contains("swagger"), "docs page is Swagger UI");
    assert!(docs.header("content-security-policy").is_some_and(|c| c.contains("default-src 'self'")));
    // The page's assets come from the binary, not a CDN.
    assert!(!docs.text.contains("cdn"));
}

#[tokio::test]
async fn every_response_has_request_id_and_no_store() {
    let app = TestApp::spawn().await;
    let r = app.req(Method::GET, "/healthz").header("x-request-id", "trace-abc-123").send().await;
    assert_eq!(r.header("x-request-id").as_deref(), Some("trace-abc-123"));
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    assert_eq!(r.header("x-content-type-options").as_deref(), Some("nosniff"));
    let generated = app.get("/nope", None).await;
    let id = generated.header("x-request-id").expect("generated id");
    assert!(uuid::Uuid::parse_str(&id).is_ok());
    // Errors quote the request id.
    assert_eq!(generated.problem(404)["request_id"], json!(id));
    // An unreasonable incoming id is replaced.
    let long = "x".repeat(300);
    let r = app.req(Method::GET, "/healthz").header("x-request-id", &long).send().await;
    assert_ne!(r.header("x-request-id"), Some(long));
}

#[tokio::test]
async fn framework_errors_are_problem_json() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let admin = Some(&p.admin);

    // Unknown route, and wrong method with Allow.
    app.get("/api/v1/nothing-here", admin).await.problem(404);
    let r = app.req(Method::DELETE, "/api/v1/users").auth(admin).send().await;
    assert_eq!(r.header("allow").as_deref(), Some("GET, POST"));
    r.problem(405);

    // Malformed JSON, wrong types, unknown fields (mass assignment).
    let bad = app.req(Method::POST, "/api/v1/users").auth(admin).body("application/json", "{not json").send().await;
    bad.problem(400);
    app.post("/api/v1/users", admin, json!({"email": 5, "display_name": "A", "role": "counselor"})).await.problem(400);
    app.post(
        "/api/v1/users",
        admin,
        json!({"email": "a@b.co", "display_name": "A", "role": "counselor", "practice_id": p.id}),
    )
    .await
    .problem(400);
    app.post("/api/v1/users", admin, json!({"email": "a@b.co", "display_name": "A", "role": "client"}))
        .await
        .problem(400);

    // A JSON array where an object belongs (serde alone would read a struct from it).
    let r =
        app.req(Method::PATCH, "/api/v1/practice").auth(admin).body("application/json", "[null, null]").send().await;
    r.problem(400);
    // An If-Match that is no ETag of ours is a bad request (tests/integrators.rs has the rest).
    let r = app
        .req(Method::PATCH, "/api/v1/practice")
        .auth(admin)
        .header("if-match", "yesterday")
        .json(&json!({"name": "X"}))
        .send()
        .await;
    r.problem(400);

    // Not JSON, and too big.
    let r = app.req(Method::POST, "/api/v1/users").auth(admin).body("text/plain", "hello").send().await;
    r.problem(415);
    let huge = format!(
        "{{\"email\":\"a@b.co\",\"display_name\":\"{}\",\"role\":\"counselor\"}}",
        "x".repeat(1024 * 1024 + 10)
    );
    let r = app.req(Method::POST, "/api/v1/users").auth(admin).body("application/json", huge).send().await;
    r.problem(413);

    // Bad path and query parameters.
    app.get("/api/v1/users/not-a-uuid", admin).await.problem(400);
    app.get("/api/v1/users?active=maybe", admin).await.problem(400);
    app.get("/api/v1/users?unknown=1", admin).await.problem(400);

    // A value that breaks a rule: 422 with the field named.
    let body = app
        .post("/api/v1/users", admin, json!({"email": "nope", "display_name": " ", "role": "counselor"}))
        .await
        .problem(422);
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["email", "display_name"]);

    // Nothing was created by any of the above.
    let list = app.get("/api/v1/users", admin).await.expect(200).json();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn pagination_limits_and_cursors() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let other = app.practice().await;
    for _ in 0..4 {
        app.counselor(&p).await;
        app.counselor(&other).await;
    }
    let admin = Some(&p.admin);
    for bad in ["0", "101", "-1"] {
        app.get(&format!("/api/v1/users?limit={bad}"), admin).await.problem(422);
    }
    app.get("/api/v1/users?limit=ten", admin).await.problem(400);
    for garbled in ["abc", "eyJrIjoidXNlcnMiLCJ2IjpbXX0", "%01%02"] {
        app.get(&format!("/api/v1/users?cursor={garbled}"), admin).await.problem(400);
    }
    // U+0000 in any query value is a 422 naming it (text is text, on both stores).
    let nul = app.get("/api/v1/users?cursor=%00%01", admin).await.problem(422);
    assert_eq!(nul["errors"][0]["field"], "cursor");

    // Walk all pages of 2: five users, each once, in a stable order, none of the other practice.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/users?limit=2&cursor={c}"),
            None => "/api/v1/users?limit=2".to_string(),
        };
        let page = app.get(&path, admin).await.expect(200).json();
        for item in page["items"].as_array().unwrap() {
            seen.push(item["id"].as_str().unwrap().to_string());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 5);
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted);

    // A cursor forged to start before everything still only yields this practice's rows.
    use base64::Engine;
    let forged = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"k":"users","v":["0"]}"#);
    let page =
        app.get(&format!("/api/v1/users?limit=100&cursor={forged}"), Some(&other.admin)).await.expect(200).json();
    assert_eq!(page["items"].as_array().unwrap().len(), 5);
    assert!(page["items"].as_array().unwrap().iter().all(|u| !seen.contains(&u["id"].as_str().unwrap().to_string())));
}

#[tokio::test]
async fn etag_and_if_match() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let admin = Some(&p.admin);
    let r = app.get("/api/v1/practice", admin).await.expect(200);
    assert_eq!(r.header("etag").as_deref(), Some("\"1\""));

    let stale = app
        .req(Method::PATCH, "/api/v1/practice")
        .auth(admin)
        .header("if-match", "\"7\"")
        .json(&json!({"name": "New"}))
        .send()
        .await;
    stale.problem(412);
    assert_eq!(app.get("/api/v1/practice", admin).await.json()["name"], "Practice");

    let ok = app
        .req(Method::PATCH, "/api/v1/practice")
        .auth(admin)
        .header("if-match", "\"1\"")
        .json(&json!({"name": "New"}))
        .send()
        .await;
    let ok = ok.expect(200);
    assert_eq!(ok.header("etag").as_deref(), Some("\"2\""));
    assert_eq!(ok.json()["version"], 2);
    assert_eq!(ok.json()["name"], "New");

    app.patch("/api/v1/practice", admin, json!({"timezone": "Mars/Olympus"})).await.problem(422);
    app.patch("/api/v1/practice", admin, json!({"timezone": "America/Chicago"})).await.expect(200);
}

#[tokio::test]
async fn concurrent_writes_with_one_if_match_make_one_change() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let mut tasks = Vec::new();
    for i in 0..8 {
        let req = app
            .req(Method::PATCH, "/api/v1/practice")
            .auth(Some(&p.admin))
            .header("if-match", "\"1\"")
            .json(&json!({"name": format!("Name {i}")}));
        tasks.push(req.send());
    }
    let results = futures_util::future::join_all(tasks).await;
    let ok = results.iter().filter(|r| r.status == 200).count();
    let refused = results.iter().filter(|r| r.status == 412).count();
    assert_eq!((ok, refused), (1, 7), "{:?}", results.iter().map(|r| r.status).collect::<Vec<_>>());
    assert_eq!(app.get("/api/v1/practice", Some(&p.admin)).await.json()["version"], 2);
}

#[tokio::test]
async fn idempotency_key_replays_and_guards() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let body = json!({"email": "new@example.org", "display_name": "New", "role": "counselor"});
    let send = |key: &str, body: &serde_json::Value| {
        app.req(Method::POST, "/api/v1/users").auth(Some(&p.admin)).header("idempotency-key", key).json(body).send()
    };
    let first = send("key-1", &body).await.expect(201);
    let again = send("key-1", &body).await.expect(201);
    assert_eq!(first.text, again.text);
    assert_eq!(first.header("location"), again.header("location"));
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));

    let other = json!({"email": "other@example.org", "display_name": "Other", "role": "counselor"});
    send("key-1", &other).await.problem(422);
    send(&"k".repeat(256), &other).await.problem(422);

    // The same key from another user is theirs alone.
    let p2 = app.practice().await;
    let r = app
        .req(Method::POST, "/api/v1/users")
        .auth(Some(&p2.admin))
        .header("idempotency-key", "key-1")
        .json(&other)
        .send()
        .await;
    r.expect(201);

    let users = app.get("/api/v1/users?role=counselor", Some(&p.admin)).await.json();
    assert_eq!(users["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn concurrent_requests_with_one_key_create_one_resource() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let body = json!({"email": "race@example.org", "display_name": "Race", "role": "counselor"});
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            app.req(Method::POST, "/api/v1/users")
                .auth(Some(&p.admin))
                .header("idempotency-key", "race")
                .json(&body)
                .send()
        })
        .collect();
    let results = futures_util::future::join_all(tasks).await;
    for r in &results {
        assert!(r.status == 201 || r.status == 409, "{} {}", r.status, r.text);
    }
    assert!(results.iter().any(|r| r.status == 201));
    let users = app.get("/api/v1/users?role=counselor", Some(&p.admin)).await.json();
    assert_eq!(users["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn text_is_stored_exactly() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let name = "Robert'); DROP TABLE users;-- 💔 \"quoted\" \\ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢";
    app.patch("/api/v1/practice", Some(&p.admin), json!({"name": name})).await.expect(200);
    assert_eq!(app.get("/api/v1/practice", Some(&p.admin)).await.json()["name"], name);
}

#[test]
fn committed_openapi_matches_the_code() {
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
        .expect("openapi/openapi.json");
    let generated = mend::openapi::document();
    assert!(
        committed == generated,
        "openapi/openapi.json is stale: run `cargo run -- openapi > openapi/openapi.json` and commit it"
    );
}

#[test]
fn openapi_documents_the_conventions() {
    let doc: serde_json::Value = serde_json::from_str(&mend::openapi::document()).unwrap();
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            assert!(responses.contains_key("500") && responses.contains_key("503"), "{method} {path}");
            if path.starts_with("/api/") {
                assert!(responses.contains_key("400") && responses.contains_key("422"), "{method} {path}");
            }
        }
    }
    // Request bodies refuse unknown fields.
    let login = &doc["components"]["schemas"]["LoginRequest"];
    assert_eq!(login["additionalProperties"], json!(false));
}

#[tokio::test]
async fn a_flood_beyond_the_in_flight_bound_gets_503_not_a_queue() {
    let app = TestApp::spawn_with(&[("MEND_MAX_IN_FLIGHT", "1")]).await;
    // Each login spends tens of milliseconds hashing; 100 at once cannot all start within a second.
    let emails: Vec<String> = (0..100).map(|i| format!("nobody{i}@example.org")).collect();
    let tasks: Vec<_> = emails.iter().map(|e| app.login(e, "wrong password here")).collect();
    let results = futures_util::future::join_all(tasks).await;
    let busy: Vec<&Resp> = results.iter().filter(|r| r.status == 503).collect();
    assert!(!busy.is_empty(), "expected some 503s");
    assert!(busy.iter().all(|r| r.header("retry-after").as_deref() == Some("1")));
    assert!(results.iter().all(|r| [401, 429, 503].contains(&r.status)));
    // And it recovers at once.
    app.get("/healthz", None).await.expect(200);
}

#[test]
fn documented_email_pattern_is_the_one_enforced() {
    let doc: serde_json::Value = serde_json::from_str(&mend::openapi::document()).unwrap();
    let schemas = &doc["components"]["schemas"];
    let email = &schemas["CreateUserRequest"]["properties"]["email"];
    // The field points at the one `Email` schema (or states the pattern itself).
    let email = match email["$ref"].as_str() {
        Some(r) => &schemas[r.trim_start_matches("#/components/schemas/")],
        None => email,
    };
    assert_eq!(email["pattern"], json!(mend::domain::text::EMAIL_PATTERN));
}

/// Whether every object valid under schema `a` could also be valid under `b`, judged by what tells
/// objects apart: `b` requires a field `a` may lack, `b` refuses a field `a` requires, or both fix
/// one field to disjoint values (`enum`/`const`).
fn may_overlap(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    let names = |v: &serde_json::Value, key: &str| -> Vec<String> {
        v[key].as_array().map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect()).unwrap_or_default()
    };
    let (a_req, b_req) = (names(a, "required"), names(b, "required"));
    if b_req.iter().any(|f| !a_req.contains(f)) {
        return false;
    }
    let b_props = b["properties"].as_object();
    if b["additionalProperties"] == json!(false) && a_req.iter().any(|f| b_props.is_none_or(|p| !p.contains_key(f))) {
        return false;
    }
    let fixed = |v: &serde_json::Value, f: &str| -> Option<Vec<serde_json::Value>> {
        let p = &v["properties"][f];
        p["enum"].as_array().cloned().or_else(|| p.get("const").map(|c| vec![c.clone()]))
    };
    !a_req.iter().any(|f| match (fixed(a, f), fixed(b, f)) {
        (Some(x), Some(y)) => x.iter().all(|v| !y.contains(v)),
        _ => false,
    })
}

/// A `oneOf` means exactly one: a generated client (or a validator) must never find an answer
/// valid under two of its schemas. The couples list once gave admins two shapes, and the whole
/// view also read as the directory view.
#[test]
fn every_one_of_in_the_spec_is_exclusive_and_every_cursor_has_its_alphabet() {
    let doc: serde_json::Value = serde_json::from_str(&mend::openapi::document()).unwrap();
    let schemas = doc["components"]["schemas"].as_object().unwrap().clone();
    let resolve = |v: &serde_json::Value| -> serde_json::Value {
        match v["$ref"].as_str() {
            Some(r) => schemas[r.rsplit('/').next().unwrap()].clone(),
            None => v.clone(),
        }
    };
    let mut one_ofs = Vec::new();
    let mut stack = vec![("#".to_string(), doc.clone())];
    while let Some((at, v)) = stack.pop() {
        match &v {
            serde_json::Value::Object(o) => {
                if let Some(items) = o.get("oneOf").and_then(|x| x.as_array()) {
                    one_ofs.push((at.clone(), items.iter().map(&resolve).collect::<Vec<_>>()));
                }
                stack.extend(o.iter().map(|(k, x)| (format!("{at}/{k}"), x.clone())));
            }
            serde_json::Value::Array(a) => stack.extend(a.iter().map(|x| (at.clone(), x.clone()))),
            _ => {}
        }
    }
    assert!(one_ofs.iter().any(|(at, _)| at.ends_with("CoupleItem")), "the check reaches CoupleItem");
    for (at, items) in &one_ofs {
        for (i, a) in items.iter().enumerate() {
            for (j, b) in items.iter().enumerate() {
                if i != j && a["type"] == json!("object") && b["type"] == json!("object") {
                    assert!(!may_overlap(a, b), "{at}: alternative {i} is also valid as alternative {j}");
                }
            }
        }
    }
    let mut cursors = 0;
    for item in doc["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            for p in op["parameters"].as_array().into_iter().flatten().filter(|p| p["name"] == "cursor") {
                assert_eq!(p["schema"]["pattern"], json!(mend::pagination::CURSOR_PATTERN));
                cursors += 1;
            }
        }
    }
    assert!(cursors > 10, "every list has a cursor: {cursors}");
}
