//! Part three for couples and clients: admins find couples to assign (never their clinical
//! content), partners named beside their ids, `?q=` on couples, and `last_session_at` /
//! `next_session_at` on the items of `GET /couples` and `GET /clients`.

mod common;

use common::trust::{at, insert_session, NewSession};
use common::*;
use serde_json::{json, Value};

const CONCERN: &str = "LEAK-presenting-concern-4e7b";

fn items(v: &Value) -> Vec<Value> {
    v["items"].as_array().cloned().unwrap_or_default()
}

fn item<'a>(list: &'a [Value], id: &str) -> Option<&'a Value> {
    list.iter().find(|i| i["id"] == id)
}

/// A couple made through the API by `counselor`, with a presenting concern.
async fn couple_with_concern(app: &TestApp, p: &Practice, counselor: &User) -> (String, [String; 2]) {
    let a = app.client(p, Some(counselor)).await;
    let b = app.client(p, Some(counselor)).await;
    let body = json!({"partner_ids": [a, b], "presenting_concern": CONCERN});
    let v = app.post("/api/v1/couples", Some(counselor), body).await.expect(201).json();
    (v["id"].as_str().unwrap().to_string(), [a, b])
}

#[tokio::test]
async fn an_unassigned_admin_never_sees_the_presenting_concern() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let counselor = app.counselor(&p).await;
    let (id, partners) = couple_with_concern(&app, &p, &counselor).await;
    let admin = &p.admin;
    let url = format!("/api/v1/couples/{id}");

    let list = app.get("/api/v1/couples?limit=100", Some(admin)).await.expect(200);
    assert!(!list.text.contains(CONCERN));
    let found = items(&list.json());
    let v = item(&found, &id).expect("the admin finds the couple");
    assert_eq!(v["partner_ids"], json!(partners));
    assert_eq!(v["counselor_ids"], json!([counselor.id]));
    assert!(v.get("presenting_concern").is_none() && v.get("last_session_at").is_none());
    let read = app.get(&url, Some(admin)).await.expect(200);
    assert!(!read.text.contains(CONCERN));
    assert_eq!(read.header("etag").as_deref(), Some("\"1\""));
    let q = format!("/api/v1/couples?client_id={}", partners[0]);
    assert!(!app.get(&q, Some(admin)).await.expect(200).text.contains(CONCERN));
    // Assigning another counselor answers without the concern too.
    let other = app.counselor(&p).await;
    let r = app.patch(&url, Some(admin), json!({"counselor_ids": [counselor.id, other.id]})).await.expect(200);
    assert!(!r.text.contains(CONCERN));
    assert!(!app.get("/api/v1/worklist", Some(admin)).await.expect(200).text.contains(CONCERN));

    // Assigned, the admin sees the whole couple.
    let ids = json!({"counselor_ids": [counselor.id, admin.id]});
    app.patch(&url, Some(admin), ids).await.expect(200);
    assert_eq!(app.get(&url, Some(admin)).await.expect(200).json()["presenting_concern"], CONCERN);
    let list = items(&app.get("/api/v1/couples?limit=100", Some(admin)).await.expect(200).json());
    assert_eq!(item(&list, &id).unwrap()["presenting_concern"], CONCERN);
}

#[tokio::test]
async fn every_audience_of_the_couple_directory() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let counselor = app.counselor(&p).await;
    let other = app.counselor(&p).await;
    let couple = app.couple(&p, &counselor).await;
    let foreign = app.practice().await;
    let portal = app.portal_user(&p, &couple.partners[0]).await;
    let url = format!("/api/v1/couples/{}", couple.id);
    // The assigned counselor: the whole view; the practice's admin: the directory view.
    assert!(app.get(&url, Some(&counselor)).await.expect(200).json().get("presenting_concern").is_some());
    app.get(&url, Some(&p.admin)).await.expect(200);
    // Another counselor and another practice's admin: 404 and no trace of it in their lists.
    for who in [&other, &foreign.admin] {
        app.get(&url, Some(who)).await.problem(404);
        let list = items(&app.get("/api/v1/couples?limit=100", Some(who)).await.expect(200).json());
        assert!(item(&list, &couple.id).is_none());
    }
    // A partner: 403; no token: 401.
    app.get(&url, Some(&portal)).await.problem(403);
    app.get("/api/v1/couples", Some(&portal)).await.problem(403);
    app.get("/api/v1/couples", None).await.problem(401);
}

#[tokio::test]
async fn couples_name_their_partners_and_q_finds_either_partner() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let counselor = app.counselor(&p).await;
    let other = app.counselor(&p).await;
    let couple = app.couple(&p, &counselor).await;
    let second = app.couple(&p, &counselor).await;
    let patch = json!({"preferred_name": "Sammy", "last_name": "O'Brien-Zhang"});
    app.patch(&format!("/api/v1/clients/{}", couple.partners[1]), Some(&counselor), patch).await.expect(200);

    let v = app.get(&format!("/api/v1/couples/{}", couple.id), Some(&counselor)).await.expect(200).json();
    assert_eq!(
        v["partners"][1],
        json!({"id": couple.partners[1], "first_name": "Alex", "last_name": "O'Brien-Zhang", "preferred_name": "Sammy"})
    );
    assert_eq!(v["partners"][0]["id"], couple.partners[0].as_str());

    let find = |who: &User, q: &str| {
        let path = format!("/api/v1/couples?q={q}");
        let (app, who) = (&app, who.clone());
        async move {
            items(&app.get(&path, Some(&who)).await.expect(200).json())
                .iter()
                .map(|i| i["id"].clone())
                .collect::<Vec<_>>()
        }
    };
    // Either partner's first, last or preferred name, any case; a literal `%` matches nothing.
    assert_eq!(find(&counselor, "o%27brien").await, vec![json!(couple.id)]);
    assert_eq!(find(&counselor, "SAMMY").await, vec![json!(couple.id)]);
    let suffix = &couple.partners[0][couple.partners[0].len() - 6..];
    assert_eq!(find(&counselor, &format!("client%20{suffix}")).await, vec![json!(couple.id)]);
    assert_eq!(find(&counselor, "alex").await.len(), 2);
    assert!(find(&counselor, "%25").await.is_empty());
    assert_eq!(find(&counselor, "").await.len(), 2, "empty q: no filter");
    // Only among couples the caller may find: the admin finds it, another counselor does not.
    assert_eq!(find(&p.admin, "sammy").await, vec![json!(couple.id)]);
    assert!(find(&other, "sammy").await.is_empty());
    let _ = second;
    // A filter naming a client the caller may not see is a 404 and a denial, bad q or not.
    let hidden = format!("/api/v1/couples?client_id={}&q={}", couple.partners[0], "x".repeat(101));
    app.get(&hidden, Some(&other)).await.problem(404);
    let denied = app.audit_rows(&couple.partners[0]).await;
    assert!(denied.iter().any(|(a, o, who)| a == "list" && o == "denied" && who == &other.id), "{denied:?}");
    // U+0000 and over 100 characters: 422.
    app.get("/api/v1/couples?q=a%00b", Some(&counselor)).await.problem(422);
    app.get(&format!("/api/v1/couples?q={}", "x".repeat(101)), Some(&counselor)).await.problem(422);
}

fn ts(t: chrono::NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[tokio::test]
async fn couples_and_clients_carry_their_last_and_next_session() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let counselor = app.counselor(&p).await;
    let other = app.counselor(&p).await;
    let couple = app.couple(&p, &counselor).await;
    let now = chrono::Utc::now().naive_utc();
    let hour = |h: i64| {
        let t = now + chrono::Duration::hours(h);
        at(&t.format("%Y-%m-%dT%H:00:00").to_string())
    };
    let session = |starts_at, status: &'static str, client: Option<String>, by: String| {
        let (app, pid, couple_id, partners) = (&app, p.id.clone(), couple.id.clone(), couple.partners.clone());
        async move {
            let attendees = client.clone().map(|c| vec![c]).unwrap_or_else(|| partners.to_vec());
            insert_session(
                app,
                NewSession {
                    practice_id: &pid,
                    couple_id: if client.is_some() { None } else { Some(&couple_id) },
                    client_id: client.as_deref(),
                    counselor_id: &by,
                    attendees,
                    starts_at,
                    status,
                    summary: None,
                    shared: false,
                },
            )
            .await
        }
    };
    let items_of = |path: &'static str, who: &User| {
        let (app, who) = (&app, who.clone());
        async move { items(&app.get(path, Some(&who)).await.expect(200).json()) }
    };

    // No sessions: both null.
    let list = items_of("/api/v1/couples", &counselor).await;
    assert_eq!(
        (
            item(&list, &couple.id).unwrap()["last_session_at"].clone(),
            item(&list, &couple.id).unwrap()["next_session_at"].clone()
        ),
        (Value::Null, Value::Null)
    );

    session(hour(-48), "completed", None, counselor.id.clone()).await;
    session(hour(-24), "cancelled", None, counselor.id.clone()).await; // not the last: cancelled
    session(hour(72), "scheduled", None, counselor.id.clone()).await;
    session(hour(24), "cancelled", None, counselor.id.clone()).await; // not the next: cancelled
                                                                      // An individual session of a partner, with another counselor: not the couple's, and not
                                                                      // visible to the couple's counselor.
    app.sql({
        let (pid, cid, oid) = (p.id.clone(), couple.partners[0].clone(), other.id.clone());
        move |c| {
            use mend::domain::ids::{ClientId, PracticeId, UserId};
            let (pid, cid, oid): (PracticeId, ClientId, UserId) =
                (pid.parse().unwrap(), cid.parse().unwrap(), oid.parse().unwrap());
            mend::store::clients::assign(c, &pid, &cid, &oid).unwrap();
        }
    })
    .await;
    session(hour(-2), "completed", Some(couple.partners[0].clone()), other.id.clone()).await;

    let list = items_of("/api/v1/couples", &counselor).await;
    let v = item(&list, &couple.id).unwrap();
    assert_eq!(v["last_session_at"], ts(hour(-48)));
    assert_eq!(v["next_session_at"], ts(hour(72)));
    let v = app.get(&format!("/api/v1/couples/{}", couple.id), Some(&counselor)).await.expect(200).json();
    assert_eq!(v["last_session_at"], ts(hour(-48)));

    // GET /clients: the couple's counselor sees the couple's sessions only; the partner's own
    // counselor sees the individual one (the latest) too.
    let list = items_of("/api/v1/clients?limit=100", &counselor).await;
    assert_eq!(item(&list, &couple.partners[0]).unwrap()["last_session_at"], ts(hour(-48)));
    assert_eq!(item(&list, &couple.partners[0]).unwrap()["next_session_at"], ts(hour(72)));
    assert_eq!(item(&list, &couple.partners[1]).unwrap()["last_session_at"], ts(hour(-48)));
    let list = items_of("/api/v1/clients?limit=100", &other).await;
    assert_eq!(item(&list, &couple.partners[0]).unwrap()["last_session_at"], ts(hour(-2)));
    assert_eq!(item(&list, &couple.partners[0]).unwrap()["next_session_at"], Value::Null);
    // The admin sees every client's record, but no sessions: both null.
    let list = items_of("/api/v1/clients?limit=100", &p.admin).await;
    let v = item(&list, &couple.partners[0]).unwrap();
    assert_eq!((v["last_session_at"].clone(), v["next_session_at"].clone()), (Value::Null, Value::Null));
}
