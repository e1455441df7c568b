//! Sessions and shared summaries: every endpoint, every audience, nasty inputs, the overlap
//! rule under concurrency, If-Match.

mod common;
#[path = "common/sessions_helpers.rs"]
mod sessions_helpers;

use futures_util::future::join_all;
use reqwest::Method;
use serde_json::{json, Value};
use sessions_helpers::*;

const SESSIONS: &str = "/api/v1/sessions";

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().expect("array").iter().map(|s| s.as_str().expect("string").to_string()).collect()
}

#[tokio::test]
async fn create_defaults_attendees_and_answers_the_view() {
    let w = World::new().await;
    let r = w
        .app
        .post(
            SESSIONS,
            Some(&w.counselor),
            json!({"couple_id": w.couple.id, "starts_at": "2030-01-01T10:30:00+01:00", "duration_minutes": 50, "modality": "telehealth"}),
        )
        .await
        .expect(201);
    let s = r.json();
    let id = id_of(&s);
    assert_eq!(r.header("location"), Some(format!("{SESSIONS}/{id}")));
    assert_eq!(r.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(s["couple_id"], json!(w.couple.id));
    assert_eq!(s["client_id"], Value::Null);
    assert_eq!(s["counselor_id"], json!(w.counselor.id));
    assert_eq!(s["starts_at"], "2030-01-01T09:30:00Z", "stored and answered in UTC");
    assert_eq!(s["duration_minutes"], 50);
    assert_eq!(s["modality"], "telehealth");
    assert_eq!(s["status"], "scheduled");
    assert_eq!(s["summary"], Value::Null);
    assert_eq!(s["cancellation_reason"], Value::Null);
    assert_eq!(s["version"], 1);
    assert_eq!(sorted(strings(&s["attendee_ids"])), sorted(w.couple.partners.to_vec()));
    // ends_at is stored for the overlap rule.
    let ends: chrono::NaiveDateTime = w
        .app
        .sql(move |c| {
            use diesel::prelude::*;
            use mend::db::schema::sessions as t;
            t::table.filter(t::id.eq(id)).select(t::ends_at).first(c).unwrap()
        })
        .await;
    assert_eq!(ends.to_string(), "2030-01-01 10:20:00");
    let rows = w.app.audit_rows(&id_of(&s)).await;
    assert_eq!(rows, vec![("create".into(), "success".into(), w.counselor.id.clone())]);

    // One attendee only.
    let one = w
        .app
        .post(
            SESSIONS,
            Some(&w.counselor),
            json!({"couple_id": w.couple.id, "starts_at": slot(5), "duration_minutes": 15, "modality": "phone", "attendee_ids": [w.couple.partners[1]]}),
        )
        .await
        .expect(201)
        .json();
    assert_eq!(strings(&one["attendee_ids"]), vec![w.couple.partners[1].clone()]);
}

#[tokio::test]
async fn create_by_every_audience() {
    let w = World::new().await;
    let body = couple_session(&w.couple.id, &slot(1));
    for (who, user) in w.outsiders() {
        let p = w.app.post(SESSIONS, Some(user), body.clone()).await.problem(422);
        assert_eq!(p["errors"][0]["field"], "couple_id", "{who}");
        w.assert_denied(&w.couple.id, user).await;
    }
    for (who, user) in w.clients() {
        assert_eq!(w.app.post(SESSIONS, Some(user), body.clone()).await.status, 403, "{who}");
    }
    w.app.post(SESSIONS, None, body.clone()).await.problem(401);
    // A couple that does not exist answers the same as one the caller may not see.
    let p = w.app.post(SESSIONS, Some(&w.counselor), couple_session(&mend::db::new_id(), &slot(1))).await.problem(422);
    assert_eq!(p["errors"][0]["field"], "couple_id");

    // An admin assigned to the couple schedules for the assigned counselor.
    let (pid, kid, aid) = (w.p.id.clone(), w.couple.id.clone(), w.admin().id.clone());
    w.app
        .sql(move |c| {
            mend::store::couples::assign(c, &pid.parse().unwrap(), &kid.parse().unwrap(), &aid.parse().unwrap())
                .unwrap()
        })
        .await;
    let mut b = body.clone();
    b["counselor_id"] = json!(w.counselor.id);
    let s = w.app.post(SESSIONS, Some(w.admin()), b).await.expect(201).json();
    assert_eq!(s["counselor_id"], json!(w.counselor.id));
    // ...but not for a counselor who is not assigned to the couple.
    let mut b = couple_session(&w.couple.id, &slot(3));
    b["counselor_id"] = json!(w.other.id);
    assert_eq!(w.app.post(SESSIONS, Some(w.admin()), b).await.problem(422)["errors"][0]["field"], "counselor_id");
    // ...nor for a client account, nor a user of another practice.
    for not_staff in [&w.partner_a.id, &w.foreign_counselor.id, &"not-a-uuid".to_string()] {
        let mut b = couple_session(&w.couple.id, &slot(3));
        b["counselor_id"] = json!(not_staff);
        w.app.post(SESSIONS, Some(&w.counselor), b).await.problem(422);
    }
}

#[tokio::test]
async fn create_rejects_nasty_input() {
    let w = World::new().await;
    let c = Some(&w.counselor);
    let base = couple_session(&w.couple.id, &slot(1));
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    // 400: wrong types, unknown fields (mass assignment), unknown modality.
    for bad in [
        with("duration_minutes", json!("50")),
        with("duration_minutes", json!(50.5)),
        with("starts_at", json!(1_900_000_000)),
        with("couple_id", json!(42)),
        with("attendee_ids", json!("everyone")),
        with("practice_id", json!(w.p.id)),
        with("status", json!("completed")),
        with("summary", json!("x")),
        with("modality", json!("carrier pigeon")),
    ] {
        w.app.post(SESSIONS, c, bad.clone()).await.problem(400);
    }
    // 422: rules.
    for (bad, field) in [
        (with("duration_minutes", json!(14)), "duration_minutes"),
        (with("duration_minutes", json!(241)), "duration_minutes"),
        (with("duration_minutes", json!(-5)), "duration_minutes"),
        (with("starts_at", json!("2030-02-30T10:00:00Z")), "starts_at"),
        (with("starts_at", json!("2030-01-01T10:00:00")), "starts_at"),
        (with("starts_at", json!("next tuesday")), "starts_at"),
        (with("starts_at", json!("")), "starts_at"),
        (with("couple_id", json!("'; DROP TABLE sessions; --")), "couple_id"),
        (with("client_id", json!(w.couple.partners[0])), "couple_id"),
        (json!({"starts_at": slot(1), "duration_minutes": 50, "modality": "phone"}), "couple_id"),
        (with("attendee_ids", json!([])), "attendee_ids"),
        (with("attendee_ids", json!([w.couple.partners[0], w.couple.partners[0]])), "attendee_ids"),
        (with("attendee_ids", json!([mend::db::new_id()])), "attendee_ids"),
    ] {
        let p = w.app.post(SESSIONS, c, bad.clone()).await.problem(422);
        assert_eq!(p["errors"][0]["field"], field, "{bad}");
    }
    // A client of the practice who is not a partner cannot attend.
    let stranger = w.app.client(&w.p, Some(&w.counselor)).await;
    w.app.post(SESSIONS, c, with("attendee_ids", json!([stranger]))).await.problem(422);
    // Bounds are inclusive.
    w.app.post(SESSIONS, c, with("duration_minutes", json!(15))).await.expect(201);
    w.app.post(SESSIONS, c, couple_session(&w.couple.id, &slot(10))).await.expect(201);
    let mut b = couple_session(&w.couple.id, &slot(20));
    b["duration_minutes"] = json!(240);
    w.app.post(SESSIONS, c, b).await.expect(201);
    // Over 1 MiB.
    let huge = format!(
        "{{\"couple_id\":\"{}\",\"starts_at\":\"{}\",\"duration_minutes\":50,\"modality\":\"phone\",\"attendee_ids\":[\"{}\"]}}",
        w.couple.id,
        slot(30),
        "x".repeat(1024 * 1024 + 10)
    );
    w.app.req(Method::POST, SESSIONS).auth(c).body("application/json", huge).send().await.problem(413);
    w.app.req(Method::POST, SESSIONS).auth(c).body("text/plain", "hi").send().await.problem(415);
    w.app.req(Method::POST, SESSIONS).auth(c).body("application/json", "{oops").send().await.problem(400);
}

#[tokio::test]
async fn overlapping_sessions_of_one_counselor_conflict() {
    let w = World::new().await;
    let c = Some(&w.counselor);
    let first = w.session(10).await; // 10:00-10:50
    let at = |t: &str| couple_session(&w.couple.id, t);
    w.app.post(SESSIONS, c, at("2030-01-01T10:49:00Z")).await.problem(409);
    w.app.post(SESSIONS, c, at("2030-01-01T09:11:00Z")).await.problem(409);
    let mut long = at("2030-01-01T09:00:00Z");
    long["duration_minutes"] = json!(240);
    w.app.post(SESSIONS, c, long).await.problem(409);
    // Back to back is fine: [start, end).
    w.app.post(SESSIONS, c, at("2030-01-01T10:50:00Z")).await.expect(201);
    let mut before = at("2030-01-01T09:10:00Z");
    before["duration_minutes"] = json!(50);
    w.app.post(SESSIONS, c, before).await.expect(201);
    // Another counselor at the same time is fine.
    let other_couple = w.app.couple(&w.p, &w.other).await;
    w.app.post(SESSIONS, Some(&w.other), couple_session(&other_couple.id, &slot(10))).await.expect(201);
    // A cancelled session frees its slot.
    let path = format!("{SESSIONS}/{}", id_of(&first));
    w.app.patch(&path, c, json!({"status": "cancelled", "cancellation_reason": "ill"})).await.expect(200);
    w.app.post(SESSIONS, c, at("2030-01-01T10:00:00Z")).await.expect(201);
}

#[tokio::test]
async fn concurrent_overlapping_creates_make_exactly_one_session() {
    let w = World::new().await;
    let reqs = (0..8).map(|i| {
        let body = couple_session(&w.couple.id, &format!("2030-01-01T10:{:02}:00Z", i * 5));
        w.app.post(SESSIONS, Some(&w.counselor), body)
    });
    let statuses: Vec<u16> = join_all(reqs).await.into_iter().map(|r| r.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 7, "{statuses:?}");
    let list = w.app.get(SESSIONS, Some(&w.counselor)).await.expect(200).json();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn individual_sessions_need_assignment_to_the_client() {
    let w = World::new().await;
    let partner = w.couple.partners[0].clone();
    // The counselor is assigned to the couple only: no individual work with a partner.
    let body = json!({"client_id": partner, "starts_at": slot(1), "duration_minutes": 50, "modality": "phone"});
    let p = w.app.post(SESSIONS, Some(&w.counselor), body.clone()).await.problem(422);
    assert_eq!(p["errors"][0]["field"], "client_id");
    w.assert_denied(&partner, &w.counselor).await;

    // Another counselor assigned to the partner individually holds one.
    let individual = w.app.counselor(&w.p).await;
    let (pid, cid, uid) = (w.p.id.clone(), partner.clone(), individual.id.clone());
    w.app
        .sql(move |c| {
            mend::store::clients::assign(c, &pid.parse().unwrap(), &cid.parse().unwrap(), &uid.parse().unwrap())
                .unwrap()
        })
        .await;
    let s = w.app.post(SESSIONS, Some(&individual), body).await.expect(201).json();
    assert_eq!(s["client_id"], json!(partner));
    assert_eq!(s["couple_id"], Value::Null);
    assert_eq!(strings(&s["attendee_ids"]), vec![partner.clone()]);
    let path = format!("{SESSIONS}/{}", id_of(&s));
    // The couple's counselor cannot see it, by id or in a list.
    w.app.get(&path, Some(&w.counselor)).await.problem(404);
    w.assert_denied(&id_of(&s), &w.counselor).await;
    let list = w.app.get(&format!("{SESSIONS}?client_id={partner}"), Some(&w.counselor)).await.expect(200).json();
    assert_eq!(list["items"], json!([]));
    // The other partner may not attend an individual session.
    let bad = json!({"client_id": partner, "starts_at": slot(3), "duration_minutes": 50, "modality": "phone", "attendee_ids": [w.couple.partners[1]]});
    w.app.post(SESSIONS, Some(&individual), bad).await.problem(422);
    w.app.get(&path, Some(&individual)).await.expect(200);
}

#[tokio::test]
async fn read_by_every_audience() {
    let w = World::new().await;
    let s = w.session(1).await;
    let id = id_of(&s);
    let path = format!("{SESSIONS}/{id}");
    let r = w.app.get(&path, Some(&w.counselor)).await.expect(200);
    assert_eq!(r.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(r.json(), s);
    let reads = w.app.audit_rows(&id).await;
    assert!(reads.contains(&("read".into(), "success".into(), w.counselor.id.clone())), "{reads:?}");
    for (who, user) in w.outsiders() {
        let p = w.app.get(&path, Some(user)).await.problem(404);
        assert!(!p.to_string().contains(&w.couple.id), "{who}: no detail leaks");
        w.assert_denied(&id, user).await;
    }
    for (who, user) in w.clients() {
        assert_eq!(w.app.get(&path, Some(user)).await.status, 403, "{who}");
    }
    w.app.get(&path, None).await.problem(401);
    w.app.get(&format!("{SESSIONS}/not-a-uuid"), Some(&w.counselor)).await.problem(400);
    w.app.get(&format!("{SESSIONS}/{}", mend::db::new_id()), Some(&w.counselor)).await.problem(404);
    let r = w.app.req(Method::DELETE, &path).auth(Some(&w.counselor)).send().await;
    assert_eq!(r.header("allow").as_deref(), Some("GET, PATCH"));
    r.problem(405);
}

#[tokio::test]
async fn list_filters_orders_and_pages() {
    let w = World::new().await;
    let c = Some(&w.counselor);
    // Created out of order; listed by starts_at.
    let mut ids = Vec::new();
    for n in [5u32, 1, 3, 2, 4] {
        ids.push((n, id_of(&w.session(n).await)));
    }
    ids.sort();
    let expected: Vec<String> = ids.iter().map(|(_, id)| id.clone()).collect();
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(cur) => format!("{SESSIONS}?limit=2&cursor={cur}"),
            None => format!("{SESSIONS}?limit=2"),
        };
        let page = w.app.get(&path, c).await.expect(200).json();
        seen.extend(page["items"].as_array().unwrap().iter().map(id_of));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, expected);
    // A page carries each session's attendees (read in the page's own statement), the same list
    // as the session's own read; a session of one partner lists only that partner.
    let body = json!({"couple_id": w.couple.id, "starts_at": slot(9), "duration_minutes": 15, "modality": "phone",
        "attendee_ids": [w.couple.partners[1]]});
    let solo = id_of(&w.app.post(SESSIONS, c, body).await.expect(201).json());
    let page = w.app.get(&format!("{SESSIONS}?limit=100"), c).await.expect(200).json();
    for item in page["items"].as_array().unwrap() {
        let one = w.app.get(&format!("{SESSIONS}/{}", id_of(item)), c).await.expect(200).json();
        assert_eq!(item["attendee_ids"], one["attendee_ids"]);
        let expected =
            if id_of(item) == solo { vec![w.couple.partners[1].clone()] } else { sorted(w.couple.partners.to_vec()) };
        assert_eq!(strings(&item["attendee_ids"]), expected);
    }
    // Filters.
    let from_to = w.app.get(&format!("{SESSIONS}?from={}&to={}", slot(2), slot(4)), c).await.expect(200).json();
    assert_eq!(from_to["items"].as_array().unwrap().iter().map(id_of).collect::<Vec<_>>(), expected[1..3].to_vec());
    // (A session is completed only once it has begun: these are in 2030, so cancel one.)
    let cancel = json!({"status": "cancelled", "cancellation_reason": "ill"});
    w.app.patch(&format!("{SESSIONS}/{}", expected[0]), c, cancel).await.expect(200);
    let done = w.app.get(&format!("{SESSIONS}?status=cancelled"), c).await.expect(200).json();
    assert_eq!(done["items"].as_array().unwrap().iter().map(id_of).collect::<Vec<_>>(), vec![expected[0].clone()]);
    let mine = w.app.get(&format!("{SESSIONS}?couple_id={}&counselor_id={}", w.couple.id, w.counselor.id), c).await;
    assert_eq!(mine.expect(200).json()["items"].as_array().unwrap().len(), 6);
    let none = w.app.get(&format!("{SESSIONS}?counselor_id={}", w.other.id), c).await.expect(200).json();
    assert_eq!(none["items"], json!([]));
    // Bad parameters.
    w.app.get(&format!("{SESSIONS}?limit=101"), c).await.problem(422);
    w.app.get(&format!("{SESSIONS}?limit=0"), c).await.problem(422);
    w.app.get(&format!("{SESSIONS}?cursor=garbage"), c).await.problem(400);
    w.app.get(&format!("{SESSIONS}?from=2030-02-30T00:00:00Z"), c).await.problem(422);
    w.app.get(&format!("{SESSIONS}?couple_id=nope"), c).await.problem(422);
    w.app.get(&format!("{SESSIONS}?status=lost"), c).await.problem(400);
    w.app.get(&format!("{SESSIONS}?practice_id={}", w.p.id), c).await.problem(400);
    // Audiences: outsiders see nothing, clients may not ask, strangers must sign in.
    for (who, user) in w.outsiders() {
        let list = w.app.get(SESSIONS, Some(user)).await.expect(200).json();
        assert_eq!(list["items"], json!([]), "{who}");
        // A filter naming the couple they may not see: 404 and a denial, never an empty list.
        let filtered = w.app.get(&format!("{SESSIONS}?couple_id={}", w.couple.id), Some(user)).await;
        assert_eq!(filtered.status, 404, "{who}: {}", filtered.text);
        w.assert_denied(&w.couple.id, user).await;
    }
    for (who, user) in w.clients() {
        assert_eq!(w.app.get(SESSIONS, Some(user)).await.status, 403, "{who}");
    }
    w.app.get(SESSIONS, None).await.problem(401);
}

#[tokio::test]
async fn status_moves_only_from_scheduled() {
    let w = World::new().await;
    let c = Some(&w.counselor);
    let s = w.session(1).await;
    let path = format!("{SESSIONS}/{}", id_of(&s));
    let p = w.app.patch(&path, c, json!({"status": "cancelled"})).await.problem(422);
    assert_eq!(p["errors"][0]["field"], "cancellation_reason");
    w.app.patch(&path, c, json!({"status": "cancelled", "cancellation_reason": "   "})).await.problem(422);
    w.app.patch(&path, c, json!({"cancellation_reason": "why not"})).await.problem(422);
    w.app.patch(&path, c, json!({"status": "completed", "cancellation_reason": "x"})).await.problem(422);
    let reason = "Partner's car broke down 🚗 -- 'late'; DROP TABLE sessions;";
    let r = w.app.patch(&path, c, json!({"status": "cancelled", "cancellation_reason": reason})).await.expect(200);
    assert_eq!(r.header("etag").as_deref(), Some("\"2\""));
    let v = r.json();
    assert_eq!(v["status"], "cancelled");
    assert_eq!(v["cancellation_reason"], reason);
    assert_eq!(v["version"], 2);
    for again in [json!({"status": "scheduled"}), json!({"status": "completed"}), json!({"starts_at": slot(3)})] {
        w.app.patch(&path, c, again).await.problem(409);
    }
    // No-show and completed are final too.
    for end in ["completed", "no_show"] {
        let s = w.session(if end == "completed" { 3 } else { 5 }).await;
        let path = format!("{SESSIONS}/{}", id_of(&s));
        // (Only a session that has begun is completed or missed: move it into the past.)
        let id = id_of(&s);
        w.app
            .sql(move |conn| {
                use diesel::prelude::*;
                use mend::db::schema::sessions as t;
                let start = mend::db::now() - chrono::Duration::days(1);
                diesel::update(t::table.filter(t::id.eq(id)))
                    .set((t::starts_at.eq(start), t::ends_at.eq(start + chrono::Duration::minutes(50))))
                    .execute(conn)
                    .expect("moved");
            })
            .await;
        assert_eq!(w.app.patch(&path, c, json!({"status": end})).await.expect(200).json()["status"], end);
        w.app.patch(&path, c, json!({"status": "cancelled", "cancellation_reason": "x"})).await.problem(409);
        w.app.patch(&path, c, json!({"duration_minutes": 60})).await.problem(409);
        // Who attended can still be corrected.
        let fixed = w.app.patch(&path, c, json!({"attendee_ids": [w.couple.partners[0]]})).await.expect(200).json();
        assert_eq!(strings(&fixed["attendee_ids"]), vec![w.couple.partners[0].clone()]);
    }
}

#[tokio::test]
async fn patch_reschedules_with_the_overlap_rule_and_if_match() {
    let w = World::new().await;
    let c = Some(&w.counselor);
    let a = w.session(1).await;
    w.session(3).await;
    let path = format!("{SESSIONS}/{}", id_of(&a));
    // Into the other session: 409, nothing written.
    w.app.patch(&path, c, json!({"starts_at": slot(3)})).await.problem(409);
    // Over itself is fine.
    let moved = w.app.patch(&path, c, json!({"starts_at": "2030-01-01T01:30:00Z", "duration_minutes": 60})).await;
    let moved = moved.expect(200).json();
    assert_eq!(moved["starts_at"], "2030-01-01T01:30:00Z");
    assert_eq!(moved["duration_minutes"], 60);
    w.app.patch(&path, c, json!({"duration_minutes": 120})).await.problem(409);
    // Nasty input.
    for bad in
        [json!({"duration_minutes": 241}), json!({"starts_at": "2030-13-01T00:00:00Z"}), json!({"attendee_ids": []})]
    {
        w.app.patch(&path, c, bad).await.problem(422);
    }
    for bad in [
        json!({"practice_id": w.p.id}),
        json!({"couple_id": w.couple.id}),
        json!({"version": 9}),
        json!({"modality": 3}),
    ] {
        w.app.patch(&path, c, bad).await.problem(400);
    }
    // If-Match.
    let stale = w.app.req(Method::PATCH, &path).auth(c).header("if-match", "\"1\"").json(&json!({"modality": "phone"}));
    stale.send().await.problem(412);
    let r = w.app.req(Method::PATCH, &path).auth(c).header("if-match", "\"2\"").json(&json!({"modality": "phone"}));
    let v = r.send().await.expect(200).json();
    assert_eq!((v["modality"].as_str(), v["version"].as_i64()), (Some("phone"), Some(3)));
    // Audiences.
    for (who, user) in w.outsiders() {
        w.app.patch(&path, Some(user), json!({"modality": "in_person"})).await.problem(404);
        w.assert_denied(&id_of(&a), user).await;
        let _ = who;
    }
    for (_, user) in w.clients() {
        w.app.patch(&path, Some(user), json!({"modality": "in_person"})).await.problem(403);
    }
    w.app.patch(&path, None, json!({"modality": "in_person"})).await.problem(401);
    assert_eq!(w.app.get(&path, c).await.json()["modality"], "phone");
}

#[tokio::test]
async fn concurrent_patches_with_one_if_match_make_one_change() {
    let w = World::new().await;
    let s = w.session(1).await;
    let path = format!("{SESSIONS}/{}", id_of(&s));
    let reqs = (0..6).map(|i| {
        let body = json!({"duration_minutes": 20 + i});
        w.app.req(Method::PATCH, &path).auth(Some(&w.counselor)).header("if-match", "\"1\"").json(&body).send()
    });
    let statuses: Vec<u16> = join_all(reqs).await.into_iter().map(|r| r.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 200 || *s == 412), "{statuses:?}");
    assert_eq!(w.app.get(&path, Some(&w.counselor)).await.json()["version"], 2);
}

#[tokio::test]
async fn summaries_are_drafts_until_shared_and_redrafted_by_edits() {
    let w = World::new().await;
    let c = Some(&w.counselor);
    let s = w.session(1).await;
    let id = id_of(&s);
    let summary = format!("{SESSIONS}/{id}/summary");
    let share = format!("{summary}/share");
    // Nothing to share yet.
    w.app.post(&share, c, json!({})).await.problem(409);
    let text = "Robert'); DROP TABLE sessions;-- agreed to weekly check-ins 💬 \"quoted\" \\ back\nslash";
    let r = w.app.put(&summary, c, json!({"text": text})).await.expect(200);
    assert_eq!(r.header("etag").as_deref(), Some("\"2\""));
    let v = r.json();
    assert_eq!(v["summary"], json!({"text": text, "shared_at": null}));
    let shared = w.app.post(&share, c, json!({})).await.expect(200).json();
    assert_eq!(shared["summary"]["text"], text);
    assert!(shared["summary"]["shared_at"].is_string());
    // Sharing again changes nothing.
    let again = w.app.post(&share, c, json!({})).await.expect(200).json();
    assert_eq!(again["summary"], shared["summary"]);
    assert_eq!(again["version"], shared["version"]);
    // Editing a shared summary makes it a draft again.
    let edited = w.app.put(&summary, c, json!({"text": "revised"})).await.expect(200).json();
    assert_eq!(edited["summary"], json!({"text": "revised", "shared_at": null}));
    // Limits and shapes.
    w.app.put(&summary, c, json!({"text": "x".repeat(20_000)})).await.expect(200);
    assert_eq!(
        w.app.put(&summary, c, json!({"text": "x".repeat(20_001)})).await.problem(422)["errors"][0]["field"],
        "text"
    );
    w.app.put(&summary, c, json!({"text": "  "})).await.problem(422);
    w.app.put(&summary, c, json!({"text": 5})).await.problem(400);
    w.app.put(&summary, c, json!({"text": "x", "shared_at": "2030-01-01T00:00:00Z"})).await.problem(400);
    w.app.put(&summary, c, json!({})).await.problem(400);
    let stale = w.app.req(Method::PUT, &summary).auth(c).header("if-match", "\"1\"").json(&json!({"text": "late"}));
    stale.send().await.problem(412);
    // Audiences.
    for (_, user) in w.outsiders() {
        w.app.put(&summary, Some(user), json!({"text": "peek"})).await.problem(404);
        w.app.post(&share, Some(user), json!({})).await.problem(404);
        w.assert_denied(&id, user).await;
    }
    for (_, user) in w.clients() {
        w.app.put(&summary, Some(user), json!({"text": "mine"})).await.problem(403);
        w.app.post(&share, Some(user), json!({})).await.problem(403);
    }
    w.app.put(&summary, None, json!({"text": "x"})).await.problem(401);
    w.app.post(&share, None, json!({})).await.problem(401);
    // Audit: create, update(s), share.
    let actions: Vec<String> = w
        .app
        .audit_rows(&id)
        .await
        .into_iter()
        .filter(|(_, o, a)| o == "success" && a == &w.counselor.id)
        .map(|(a, _, _)| a)
        .collect();
    assert!(actions.starts_with(&["create".into(), "update".into(), "share".into(), "share".into(), "update".into()]));
}
