//! The couple's confidentiality policy through the HTTP API: versions, signatures in the portal,
//! every audience.

mod common;
#[path = "common/consent.rs"]
mod consent_helpers;

use common::trust::*;
use common::*;
use consent_helpers::*;
use diesel::prelude::*;
use reqwest::Method;
use serde_json::json;
use sha2::{Digest, Sha256};

#[tokio::test]
async fn a_policy_is_versioned_and_signed_by_every_partner_again_after_each_change() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let c = Some(&w.counselor);
    let path = policy_path(&w.couple.id);
    app.get(&path, c).await.problem(404);

    let text = "No secrets: what either of you tells me alone may be raised in joint sessions. 'quoted' ✓";
    let r = app.put(&path, c, json!({"kind": "no_secrets", "text": text})).await.expect(200);
    assert_eq!(r.header("etag").as_deref(), Some("\"1\""));
    let p = r.json();
    assert_eq!(p["couple_id"], w.couple.id);
    assert_eq!(p["kind"], "no_secrets");
    assert_eq!(p["text"], text);
    assert_eq!(p["version"], 1);
    assert_eq!(p["signatures"], json!([]));
    assert_eq!(p["fully_signed"], false);
    assert!(audited_as(&app, &w.couple.id, "update", "success", &w.counselor.id).await);
    let read = app.get(&path, c).await.expect(200);
    assert_eq!(read.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(read.json(), p);
    assert!(audited_as(&app, &w.couple.id, "read", "success", &w.counselor.id).await);

    // The same kind and text again is no change.
    let same = app.put(&path, c, json!({"kind": "no_secrets", "text": text})).await.expect(200).json();
    assert_eq!(same["version"], 1);

    // The portal shows it, unsigned; partner A signs version 1.
    let list = app.get("/api/v1/portal/consents", Some(&w.a)).await.expect(200).json();
    assert_eq!(
        list["items"],
        json!([{"couple_id": w.couple.id, "kind": "no_secrets", "text": text, "version": 1, "my_signed_at": null}])
    );
    let sign = format!("/api/v1/portal/consents/{}/sign", w.couple.id);
    let s = app.post(&sign, Some(&w.a), json!({"signed_name": "Alex A", "version": 1})).await.expect(200).json();
    assert!(s["my_signed_at"].is_string());
    assert!(audited_as(&app, &w.couple.id, "sign", "success", &w.a.id).await);
    // Signing again keeps the first signature.
    let again = app.post(&sign, Some(&w.a), json!({"signed_name": "Other", "version": 1})).await.expect(200).json();
    assert_eq!(again["my_signed_at"], s["my_signed_at"]);
    let p = app.get(&path, c).await.expect(200).json();
    assert_eq!(p["signatures"].as_array().unwrap().len(), 1);
    assert_eq!(p["signatures"][0]["client_id"], w.a.client_id.clone().unwrap());
    assert_eq!(p["signatures"][0]["signed_name"], "Alex A");
    assert_eq!(p["signatures"][0]["version"], 1);
    let hash = hex::encode(Sha256::digest(text.as_bytes()));
    assert_eq!(p["signatures"][0]["text_sha256"], hash);
    assert_eq!(p["fully_signed"], false);
    // The signature keeps the request's address.
    let ips: Vec<Option<String>> = app
        .sql(|c| {
            use mend::db::schema::policy_signatures as ps;
            ps::table.select(ps::ip).load(c).unwrap()
        })
        .await;
    assert_eq!(ips, vec![Some("127.0.0.1".to_string())]);

    app.post(&sign, Some(&w.b), json!({"signed_name": "Blake B", "version": 1})).await.expect(200);
    let p = app.get(&path, c).await.expect(200).json();
    assert_eq!(p["fully_signed"], true);

    // A stale If-Match is 412 and writes nothing; a change makes version 2, unsigned.
    let stale = app
        .req(Method::PUT, &path)
        .auth(c)
        .header("if-match", "\"7\"")
        .json(&json!({"kind": "accommodation", "text": "x"}))
        .send()
        .await;
    stale.problem(412);
    let r = app
        .req(Method::PUT, &path)
        .auth(c)
        .header("if-match", "\"1\"")
        .json(&json!({"kind": "limited_secrets", "text": "Limited secrets."}))
        .send()
        .await
        .expect(200);
    assert_eq!(r.header("etag").as_deref(), Some("\"2\""));
    let p2 = r.json();
    assert_eq!(
        (p2["version"].clone(), p2["signatures"].clone(), p2["fully_signed"].clone()),
        (json!(2), json!([]), json!(false))
    );
    // Signing the old version is 409 and records nothing; the old version keeps its signatures.
    app.post(&sign, Some(&w.a), json!({"signed_name": "Alex A", "version": 1})).await.problem(409);
    let list = app.get("/api/v1/portal/consents", Some(&w.a)).await.expect(200).json();
    assert_eq!(list["items"][0]["version"], 2);
    assert_eq!(list["items"][0]["my_signed_at"], json!(null));
    let kept: Vec<(i64, String)> = app
        .sql(|c| {
            use mend::db::schema::policy_signatures as ps;
            ps::table.select((ps::version, ps::client_id)).order(ps::client_id).load(c).unwrap()
        })
        .await;
    assert_eq!(kept.len(), 2);
    assert!(kept.iter().all(|(v, _)| *v == 1));
    let versions: i64 = app
        .sql(|c| {
            use mend::db::schema::confidentiality_policies as cp;
            cp::table.count().get_result(c).unwrap()
        })
        .await;
    assert_eq!(versions, 2, "old versions are kept");
    app.post(&sign, Some(&w.a), json!({"signed_name": "Alex A", "version": 2})).await.expect(200);
}

#[tokio::test]
async fn only_the_couples_partners_sign_and_only_assigned_staff_manage_the_policy() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let path = policy_path(&w.couple.id);
    let body = json!({"kind": "accommodation", "text": "MARKER-POLICY"});
    assert_staff_only(&app, &w, Method::PUT, &path, Some(body.clone()), &w.couple.id).await;
    app.put(&path, Some(&w.counselor), body).await.expect(200);
    assert_staff_only(&app, &w, Method::GET, &path, None, &w.couple.id).await;

    // A client of another couple: nothing in the list, 404 (and a denial) on sign.
    let list = app.get("/api/v1/portal/consents", Some(&w.outsider)).await.expect(200);
    assert!(!list.text.contains("MARKER-POLICY"), "{}", list.text);
    let sign = format!("/api/v1/portal/consents/{}/sign", w.couple.id);
    let before = denials(&app, &w.couple.id, &w.outsider.id).await;
    app.post(&sign, Some(&w.outsider), json!({"signed_name": "X", "version": 1})).await.problem(404);
    assert_eq!(denials(&app, &w.couple.id, &w.outsider.id).await, before + 1);
    // Staff never sign in a client's name; no token is 401.
    for u in w.staff() {
        app.post(&sign, Some(u), json!({"signed_name": "X", "version": 1})).await.problem(403);
        app.get("/api/v1/portal/consents", Some(u)).await.problem(403);
    }
    app.post(&sign, None, json!({"signed_name": "X", "version": 1})).await.problem(401);
    app.get("/api/v1/portal/consents", None).await.problem(401);
    // The body cannot name another signer.
    let other = w.b.client_id.clone().unwrap();
    app.post(&sign, Some(&w.a), json!({"signed_name": "X", "version": 1, "client_id": other})).await.problem(400);
    let p = app.get(&path, Some(&w.counselor)).await.expect(200).json();
    assert_eq!(p["signatures"], json!([]));
    // A couple without a policy yet: 404 for its partner too.
    let other_couple_partner = app.portal_user(&w.p, &w.other_couple.partners[1]).await;
    let sign_other = format!("/api/v1/portal/consents/{}/sign", w.other_couple.id);
    app.post(&sign_other, Some(&other_couple_partner), json!({"signed_name": "X", "version": 1})).await.problem(404);
}

#[tokio::test]
async fn bad_policy_and_signature_input() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let c = Some(&w.counselor);
    let path = policy_path(&w.couple.id);
    app.put(&path, c, json!({"kind": "secrets", "text": "x"})).await.problem(400);
    app.put(&path, c, json!({"kind": "no_secrets", "text": "x", "extra": 1})).await.problem(400);
    let e = app.put(&path, c, json!({"kind": "no_secrets", "text": "   "})).await.problem(422);
    assert_eq!(e["errors"][0]["field"], "text");
    app.put(&path, c, json!({"kind": "no_secrets", "text": "x".repeat(20001)})).await.problem(422);
    // If-Match before the first version: 412.
    app.req(Method::PUT, &path)
        .auth(c)
        .header("if-match", "\"1\"")
        .json(&json!({"kind": "no_secrets", "text": "x"}))
        .send()
        .await
        .problem(412);
    app.put(&path, c, json!({"kind": "no_secrets", "text": "x".repeat(20000)})).await.expect(200);
    let sign = format!("/api/v1/portal/consents/{}/sign", w.couple.id);
    let e = app.post(&sign, Some(&w.a), json!({"signed_name": " ", "version": 1})).await.problem(422);
    assert_eq!(e["errors"][0]["field"], "signed_name");
    app.post(&sign, Some(&w.a), json!({"signed_name": "A"})).await.problem(400);
    app.post(&sign, Some(&w.a), json!({"signed_name": "A", "version": 9})).await.problem(409);
}
