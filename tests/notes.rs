//! Mediation notes: staff assigned to the session only, author-only drafts, signing seals the
//! content (integrity re-checked on every read), addenda on signed notes.

mod common;
#[path = "common/sessions_helpers.rs"]
mod sessions_helpers;

use common::User;
use reqwest::Method;
use serde_json::{json, Value};
use sessions_helpers::*;

fn notes_of(session_id: &str) -> String {
    format!("/api/v1/sessions/{session_id}/notes")
}

fn note_path(id: &str) -> String {
    format!("/api/v1/notes/{id}")
}

/// Assigns `user` to the world's couple.
async fn assign(w: &World, user: &User) {
    let (pid, kid, uid) = (w.p.id.clone(), w.couple.id.clone(), user.id.clone());
    w.app
        .sql(move |c| {
            mend::store::couples::assign(c, &pid.parse().unwrap(), &kid.parse().unwrap(), &uid.parse().unwrap())
                .unwrap()
        })
        .await;
}

#[tokio::test]
async fn create_read_and_list_by_every_audience() {
    let w = World::new().await;
    let s = id_of(&w.session(1).await);
    let c = Some(&w.counselor);
    let body =
        "She named the affair for the first time; he listened without defending. 🕊️ 'quoted' -- ; DROP TABLE notes;";
    let r = w
        .app
        .post(
            &notes_of(&s),
            c,
            json!({"body": body, "topics": ["disclosure", "trust 🔒"], "agreements": ["No contact with X"], "risk_level": "low"}),
        )
        .await
        .expect(201);
    let n = r.json();
    let id = id_of(&n);
    assert_eq!(r.header("location"), Some(note_path(&id)));
    assert_eq!(r.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(n["session_id"], json!(s));
    assert_eq!(n["couple_id"], json!(w.couple.id));
    assert_eq!(n["client_id"], Value::Null);
    assert_eq!(n["author_id"], json!(w.counselor.id));
    assert_eq!(n["body"], body);
    assert_eq!(n["topics"], json!(["disclosure", "trust 🔒"]));
    assert_eq!(n["agreements"], json!(["No contact with X"]));
    assert_eq!(n["risk_level"], "low");
    assert_eq!(n["status"], "draft");
    assert_eq!(n["signed_at"], Value::Null);
    assert_eq!(n["addenda"], json!([]));
    assert!(n.get("content_sha256").is_none() && n.get("integrity").is_none(), "drafts carry no seal");
    // Defaults.
    let bare = w.note(&s, "x").await;
    assert_eq!(
        (bare["topics"].clone(), bare["agreements"].clone(), bare["risk_level"].clone()),
        (json!([]), json!([]), Value::Null)
    );

    let read = w.app.get(&note_path(&id), c).await.expect(200);
    assert_eq!(read.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(read.json(), n);
    let list = w.app.get(&notes_of(&s), c).await.expect(200).json();
    assert_eq!(list["items"].as_array().unwrap().iter().map(id_of).collect::<Vec<_>>(), vec![id.clone(), id_of(&bare)]);

    for (who, user) in w.outsiders() {
        w.app.get(&note_path(&id), Some(user)).await.problem(404);
        w.assert_denied(&id, user).await;
        w.app.get(&notes_of(&s), Some(user)).await.problem(404);
        w.app.post(&notes_of(&s), Some(user), json!({"body": "sneak"})).await.problem(404);
        w.assert_denied(&s, user).await;
        let _ = who;
    }
    // A portal client gets 403 on every notes path, even for their own session.
    for (who, user) in w.clients() {
        let u = Some(user);
        for r in [
            w.app.get(&note_path(&id), u).await,
            w.app.get(&notes_of(&s), u).await,
            w.app.post(&notes_of(&s), u, json!({"body": "mine"})).await,
            w.app.patch(&note_path(&id), u, json!({"body": "mine"})).await,
            w.app.post(&format!("{}/sign", note_path(&id)), u, json!({})).await,
            w.app.post(&format!("{}/addenda", note_path(&id)), u, json!({"body": "mine"})).await,
        ] {
            assert_eq!(r.status, 403, "{who}: {}", r.text);
            assert!(!r.text.contains(body));
        }
    }
    w.app.get(&note_path(&id), None).await.problem(401);
    w.app.get(&notes_of(&s), None).await.problem(401);
    w.app.post(&notes_of(&s), None, json!({"body": "x"})).await.problem(401);
    // Nothing was written by the denied attempts.
    assert_eq!(w.app.get(&notes_of(&s), c).await.json()["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn nasty_inputs() {
    let w = World::new().await;
    let s = id_of(&w.session(1).await);
    let c = Some(&w.counselor);
    let path = notes_of(&s);
    for bad in [
        json!({"body": 5}),
        json!({"body": "x", "topics": "one"}),
        json!({"body": "x", "topics": [1]}),
        json!({"body": "x", "risk_level": "extreme"}),
        json!({"body": "x", "author_id": w.other.id}),
        json!({"body": "x", "status": "signed"}),
        json!({"body": "x", "practice_id": w.p.id}),
        json!({"body": "x", "content_sha256": "00"}),
        json!({}),
    ] {
        w.app.post(&path, c, bad).await.problem(400);
    }
    for (bad, field) in [
        (json!({"body": "x".repeat(50_001)}), "body"),
        (json!({"body": "   "}), "body"),
        (json!({"body": "x", "topics": [""]}), "topics"),
        (json!({"body": "x", "topics": vec!["t"; 51]}), "topics"),
        (json!({"body": "x", "agreements": ["a".repeat(2001)]}), "agreements"),
    ] {
        assert_eq!(w.app.post(&path, c, bad).await.problem(422)["errors"][0]["field"], field);
    }
    // 50000 characters (multi-byte ones too) are fine and stored exactly.
    let long = "é".repeat(49_999) + "🙂";
    let n = w.app.post(&path, c, json!({"body": long})).await.expect(201).json();
    assert_eq!(w.app.get(&note_path(&id_of(&n)), c).await.json()["body"], json!(long));
    // Bad ids.
    w.app.post(&notes_of("not-a-uuid"), c, json!({"body": "x"})).await.problem(400);
    w.app.get(&note_path("1 OR 1=1"), c).await.problem(400);
    w.app.get(&note_path(&mend::db::new_id()), c).await.problem(404);
    w.app.post(&notes_of(&mend::db::new_id()), c, json!({"body": "x"})).await.problem(404);
    // Over 1 MiB.
    let huge = format!("{{\"body\":\"{}\"}}", "x".repeat(1024 * 1024 + 10));
    w.app.req(Method::POST, &path).auth(c).body("application/json", huge).send().await.problem(413);
    let r = w.app.req(Method::DELETE, &note_path(&id_of(&n))).auth(c).send().await;
    assert_eq!(r.header("allow").as_deref(), Some("GET, PATCH"));
}

#[tokio::test]
async fn only_the_author_edits_or_signs_and_signing_locks() {
    let w = World::new().await;
    let s = id_of(&w.session(1).await);
    let c = Some(&w.counselor);
    let colleague = w.app.counselor(&w.p).await;
    assign(&w, &colleague).await;
    let n = w.note(&s, "draft one").await;
    let id = id_of(&n);
    let path = note_path(&id);
    let sign = format!("{path}/sign");
    // Another assigned counselor reads it but may not change or sign it.
    w.app.get(&path, Some(&colleague)).await.expect(200);
    w.app.patch(&path, Some(&colleague), json!({"body": "mine now"})).await.problem(403);
    w.app.post(&sign, Some(&colleague), json!({})).await.problem(403);
    w.assert_denied(&id, &colleague).await;
    for (_, user) in w.outsiders() {
        w.app.patch(&path, Some(user), json!({"body": "x"})).await.problem(404);
        w.app.post(&sign, Some(user), json!({})).await.problem(404);
    }
    w.app.patch(&path, None, json!({"body": "x"})).await.problem(401);
    w.app.post(&sign, None, json!({})).await.problem(401);
    // The author edits the draft; null clears risk_level; absent fields stay.
    let v = w.app.patch(&path, c, json!({"risk_level": "high", "topics": ["a"]})).await.expect(200).json();
    assert_eq!(
        (v["risk_level"].as_str(), v["body"].as_str(), v["version"].as_i64()),
        (Some("high"), Some("draft one"), Some(2))
    );
    let v = w.app.patch(&path, c, json!({"risk_level": null})).await.expect(200).json();
    assert_eq!(v["risk_level"], Value::Null);
    assert_eq!(v["topics"], json!(["a"]));
    for bad in
        [json!({"author_id": colleague.id}), json!({"status": "signed"}), json!({"signed_at": "2030-01-01T00:00:00Z"})]
    {
        w.app.patch(&path, c, bad).await.problem(400);
    }
    w.app.patch(&path, c, json!({"body": "x".repeat(50_001)})).await.problem(422);
    let stale = w.app.req(Method::PATCH, &path).auth(c).header("if-match", "\"1\"").json(&json!({"body": "late"}));
    stale.send().await.problem(412);
    // Sign.
    let r = w.app.post(&sign, c, json!({})).await.expect(200);
    let signed = r.json();
    assert_eq!(r.header("etag"), Some(format!("\"{}\"", signed["version"])));
    assert_eq!(signed["status"], "signed");
    assert!(signed["signed_at"].is_string());
    assert_eq!(signed["signed_by"], json!(w.counselor.id));
    assert_eq!(signed["integrity"], "ok");
    let sha = signed["content_sha256"].as_str().unwrap();
    assert!(sha.len() == 64 && sha.chars().all(|c| c.is_ascii_hexdigit()), "{sha}");
    // Locked for good.
    w.app.patch(&path, c, json!({"body": "changed my mind"})).await.problem(409);
    w.app.post(&sign, c, json!({})).await.problem(409);
    assert_eq!(w.app.get(&path, c).await.json()["body"], "draft one");
    let actions: Vec<String> = w.app.audit_rows(&id).await.into_iter().map(|(a, o, _)| format!("{a}:{o}")).collect();
    assert!(actions.contains(&"sign:success".to_string()), "{actions:?}");
    assert!(actions.contains(&"update:denied".to_string()), "{actions:?}");
}

#[tokio::test]
async fn addenda_go_on_signed_notes_by_any_assigned_staff() {
    let w = World::new().await;
    let s = id_of(&w.session(1).await);
    let c = Some(&w.counselor);
    let colleague = w.app.counselor(&w.p).await;
    assign(&w, &colleague).await;
    let id = id_of(&w.note(&s, "signed content").await);
    let addenda = format!("{}/addenda", note_path(&id));
    w.app.post(&addenda, c, json!({"body": "too early"})).await.problem(409);
    w.app.post(&format!("{}/sign", note_path(&id)), c, json!({})).await.expect(200);
    let text = "Correction: the agreement was 'weekly', not daily 🙏";
    let r = w.app.post(&addenda, Some(&colleague), json!({"body": text})).await.expect(201);
    assert_eq!(r.header("location"), Some(note_path(&id)));
    let v = r.json();
    assert_eq!(v["id"], json!(id));
    let a = &v["addenda"][0];
    assert_eq!((a["author_id"].clone(), a["body"].as_str()), (json!(colleague.id), Some(text)));
    assert!(a["id"].is_string() && a["created_at"].is_string());
    let v = w.app.post(&addenda, c, json!({"body": "second"})).await.expect(201).json();
    assert_eq!(v["addenda"].as_array().unwrap().len(), 2);
    assert_eq!(v["addenda"][1]["body"], "second");
    assert_eq!(v["integrity"], "ok", "addenda do not touch the signed content");
    for bad in [json!({"body": ""}), json!({"body": "x".repeat(50_001)})] {
        w.app.post(&addenda, c, bad).await.problem(422);
    }
    for bad in [json!({"body": "x", "author_id": colleague.id}), json!({"text": "x"})] {
        w.app.post(&addenda, c, bad).await.problem(400);
    }
    for (_, user) in w.outsiders() {
        w.app.post(&addenda, Some(user), json!({"body": "x"})).await.problem(404);
        w.assert_denied(&id, user).await;
    }
    w.app.post(&addenda, None, json!({"body": "x"})).await.problem(401);
    assert_eq!(w.app.get(&note_path(&id), c).await.json()["addenda"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn tampering_with_a_signed_note_shows_as_mismatch() {
    let w = World::new().await;
    let s = id_of(&w.session(1).await);
    let c = Some(&w.counselor);
    let id = id_of(&w.note(&s, "what was said").await);
    let signed = w.app.post(&format!("{}/sign", note_path(&id)), c, json!({})).await.expect(200).json();
    assert_eq!(signed["integrity"], "ok");
    let nid = id.clone();
    w.app
        .sql(move |conn| {
            use diesel::prelude::*;
            use mend::db::schema::notes as n;
            diesel::update(n::table.filter(n::id.eq(nid))).set(n::body.eq("what was not said")).execute(conn).unwrap()
        })
        .await;
    let read = w.app.get(&note_path(&id), c).await.expect(200).json();
    assert_eq!(read["integrity"], "mismatch");
    assert_eq!(read["content_sha256"], signed["content_sha256"]);
    let list = w.app.get(&notes_of(&s), c).await.expect(200).json();
    assert_eq!(list["items"][0]["integrity"], "mismatch");
    // Changing the list columns is caught too.
    let nid = id.clone();
    w.app
        .sql(move |conn| {
            use diesel::prelude::*;
            use mend::db::schema::notes as n;
            diesel::update(n::table.filter(n::id.eq(nid)))
                .set((n::body.eq("what was said"), n::risk_level.eq(Some("none"))))
                .execute(conn)
                .unwrap()
        })
        .await;
    assert_eq!(w.app.get(&note_path(&id), c).await.json()["integrity"], "mismatch");
}

#[tokio::test]
async fn notes_list_pages_in_creation_order() {
    let w = World::new().await;
    let s = id_of(&w.session(1).await);
    let c = Some(&w.counselor);
    let mut expected = Vec::new();
    for i in 0..5 {
        expected.push(id_of(&w.note(&s, &format!("note {i}")).await));
    }
    // A note on another session stays out.
    let other = id_of(&w.session(3).await);
    w.note(&other, "elsewhere").await;
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(cur) => format!("{}?limit=2&cursor={cur}", notes_of(&s)),
            None => format!("{}?limit=2", notes_of(&s)),
        };
        let page = w.app.get(&path, c).await.expect(200).json();
        seen.extend(page["items"].as_array().unwrap().iter().map(id_of));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, expected);
    w.app.get(&format!("{}?limit=101", notes_of(&s)), c).await.problem(422);
    w.app.get(&format!("{}?cursor=xyz", notes_of(&s)), c).await.problem(400);
    w.app.get(&format!("{}?author_id=x", notes_of(&s)), c).await.problem(400);
}

#[tokio::test]
async fn notes_of_an_individual_session_need_assignment_to_the_client() {
    let w = World::new().await;
    let partner = w.couple.partners[0].clone();
    let individual = w.app.counselor(&w.p).await;
    let (pid, cid, uid) = (w.p.id.clone(), partner.clone(), individual.id.clone());
    w.app
        .sql(move |c| {
            mend::store::clients::assign(c, &pid.parse().unwrap(), &cid.parse().unwrap(), &uid.parse().unwrap())
                .unwrap()
        })
        .await;
    let body = json!({"client_id": partner, "starts_at": slot(1), "duration_minutes": 50, "modality": "phone"});
    let s = id_of(&w.app.post("/api/v1/sessions", Some(&individual), body).await.expect(201).json());
    let n = w.app.post(&notes_of(&s), Some(&individual), json!({"body": "private work"})).await.expect(201).json();
    assert_eq!(n["client_id"], json!(partner));
    // The couple's counselor sees neither the note nor the session's notes.
    w.app.get(&note_path(&id_of(&n)), Some(&w.counselor)).await.problem(404);
    w.app.get(&notes_of(&s), Some(&w.counselor)).await.problem(404);
    w.app.post(&notes_of(&s), Some(&w.counselor), json!({"body": "x"})).await.problem(404);
    w.assert_denied(&id_of(&n), &w.counselor).await;
}
