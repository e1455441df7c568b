//! What people read of a release: the PDF a recipient gets (`GET /releases/{id}/document`,
//! rendered from the copy kept at disclosure and read back with poppler's `pdftotext`), and the
//! preview a partner sees in the portal (`GET /portal/releases/{id}/preview`), which counts and
//! never shows what that partner's portal never shows them.

mod common;
#[path = "common/consent.rs"]
mod consent_helpers;

use common::between::{activity, day, id_of, portal_log};
use common::trust::*;
use common::*;
use consent_helpers::*;
use diesel::prelude::*;
use reqwest::Method;
use serde_json::{json, Value};

/// Names people by their names: the partners, the counselor, and the practice's zone.
async fn name_people(app: &TestApp, w: &World, zone: &str) {
    use mend::db::schema::{clients as c, practices as p, users as u};
    let [a, b] = w.couple.partners.clone();
    let (pid, cid, zone) = (w.p.id.clone(), w.counselor.id.clone(), zone.to_string());
    app.sql(move |conn| {
        for (id, first, last) in [(a, "Zoë", "Ångström"), (b, "Sam", "Okafor")] {
            diesel::update(c::table.filter(c::id.eq(id)))
                .set((c::first_name.eq(first), c::last_name.eq(last)))
                .execute(conn)
                .expect("name");
        }
        diesel::update(u::table.filter(u::id.eq(cid)))
            .set(u::display_name.eq("Dana Whitfield"))
            .execute(conn)
            .expect("name");
        diesel::update(p::table.filter(p::id.eq(pid)))
            .set((p::timezone.eq(zone), p::name.eq("Riverside Counseling")))
            .execute(conn)
            .expect("zone");
    })
    .await;
}

async fn sign(app: &TestApp, user: &User, release_id: &str, name: &str) -> Resp {
    app.post(&format!("/api/v1/portal/releases/{release_id}/authorize"), Some(user), json!({"signed_name": name})).await
}

async fn completed_session(app: &TestApp, w: &World, starts_at: &str, attendees: Vec<String>, summary: &str) -> String {
    insert_session(
        app,
        NewSession {
            practice_id: &w.p.id,
            couple_id: Some(&w.couple.id),
            client_id: None,
            counselor_id: &w.counselor.id,
            attendees,
            starts_at: at(starts_at),
            status: "completed",
            summary: Some(summary),
            shared: true,
        },
    )
    .await
}

/// A PDF, as bytes (the harness's responses are text).
async fn fetch_pdf(app: &TestApp, path: &str, user: &User) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let r = app.http.get(app.url(path)).bearer_auth(&user.token).send().await.expect("request");
    let (status, headers) = (r.status().as_u16(), r.headers().clone());
    (status, headers, r.bytes().await.expect("body").to_vec())
}

/// The text of a PDF, its whitespace runs made single spaces (lines wrap anywhere).
fn pdf_text(pdf: &[u8], name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("mend-pdf-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("document.pdf");
    std::fs::write(&path, pdf).expect("write pdf");
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(out.status.success(), "pdftotext read the document: {}", String::from_utf8_lossy(&out.stderr));
    if std::env::var_os("MEND_KEEP_PDF").is_none() {
        std::fs::remove_dir_all(&dir).expect("clean up");
    }
    String::from_utf8(out.stdout).expect("utf-8").split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test]
async fn the_document_is_the_disclosure_as_it_was_with_names_local_times_and_the_notice() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    name_people(&app, &w, "Europe/Berlin").await;
    let c = Some(&w.counselor);
    // 15:00 UTC on 10 March is 16:00 in Berlin (CET, before summer time).
    let session = completed_session(&app, &w, "2026-03-10T15:00:00", w.couple.partners.to_vec(), "MARK-SUMMARY").await;
    insert_signed_note(&app, &w.p.id, &session, Some(&w.couple.id), None, &w.counselor.id, "MARK-NOTE").await;
    boundary(&app, &w, &w.couple, "MARK-BOUNDARY").await;
    let mut body = release_body(&w.couple.id, json!(["sessions", "summaries", "boundaries"]));
    body["include_mediation_notes"] = json!(true);
    let id = release(&app, &w, body).await["id"].as_str().unwrap().to_string();
    let doc_path = format!("/api/v1/releases/{id}/document");

    // Before disclosure there is no document.
    app.get(&doc_path, c).await.problem(409);
    sign(&app, &w.a, &id, "Zoë Ångström").await.expect(200);
    app.get(&doc_path, c).await.problem(409);
    sign(&app, &w.b, &id, "Sam O.").await.expect(200);
    app.get(&doc_path, c).await.problem(409);
    app.post(&format!("/api/v1/releases/{id}/disclose"), c, json!({})).await.expect(200);

    // After disclosure the records change: an addendum, an edited summary, a renamed partner.
    let notes = app.get(&format!("/api/v1/sessions/{session}/notes"), c).await.expect(200).json();
    let note = notes["items"][0]["id"].as_str().unwrap().to_string();
    app.post(&format!("/api/v1/notes/{note}/addenda"), c, json!({"body": "MARK-LATE-ADDENDUM"})).await.expect(201);
    let (s, b) = (session.clone(), w.couple.partners[1].clone());
    app.sql(move |conn| {
        use mend::db::schema::{clients as cl, sessions as ss};
        diesel::update(ss::table.filter(ss::id.eq(s)))
            .set(ss::summary_text.eq("MARK-EDITED"))
            .execute(conn)
            .expect("edit");
        diesel::update(cl::table.filter(cl::id.eq(b)))
            .set(cl::last_name.eq("MARK-RENAMED"))
            .execute(conn)
            .expect("rename");
    })
    .await;

    let (status, headers, pdf) = fetch_pdf(&app, &doc_path, &w.counselor).await;
    assert_eq!(status, 200);
    assert_eq!(headers.get("content-type").and_then(|v| v.to_str().ok()), Some("application/pdf"));
    assert_eq!(headers.get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    let text = pdf_text(&pdf, "document");
    for expected in [
        "Riverside Counseling",
        "Dr. Rivera, Valley Clinic",
        "Continuity of care",
        "Zoë Ångström",
        "Sam Okafor",
        "signed “Zoë Ångström”",
        "signed “Sam O.”",
        "Dana Whitfield",
        "2026-03-10 16:00 CET",
        "Europe/Berlin",
        "all dates",
        "MARK-SUMMARY",
        "MARK-NOTE",
        "MARK-BOUNDARY",
        "Notice to the recipient",
        "You may not disclose them further",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from the document: {text}");
    }
    for absent in [
        "MARK-LATE-ADDENDUM",
        "MARK-EDITED",
        "MARK-RENAMED",
        &w.couple.partners[0],
        &w.couple.partners[1],
        &w.counselor.id,
    ] {
        assert!(!text.contains(absent), "{absent:?} is in the document: {text}");
    }
    // The same bytes' text on every read: the kept copy, not today's records.
    let (_, _, again) = fetch_pdf(&app, &doc_path, &w.counselor).await;
    assert_eq!(pdf_text(&again, "again"), text);
    assert!(audited_as(&app, &id, "read", "success", &w.counselor.id).await);
}

#[tokio::test]
async fn every_audience_on_the_document() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let id = authorized_release(&app, &w, release_body(&w.couple.id, json!(["sessions"]))).await;
    app.post(&format!("/api/v1/releases/{id}/disclose"), Some(&w.counselor), json!({})).await.expect(200);
    let path = format!("/api/v1/releases/{id}/document");
    assert_staff_only(&app, &w, Method::GET, &path, None, &id).await;
    let (status, _, pdf) = fetch_pdf(&app, &path, &w.counselor).await;
    assert_eq!(status, 200);
    assert!(pdf.starts_with(b"%PDF-"));
    // One client's own release: their records alone, their one authorization.
    let a_id = w.a.client_id.clone().unwrap();
    assign_client(&app, &w.p.id, &a_id, &w.counselor.id).await;
    let mut own = release_body(&w.couple.id, json!(["sessions"]));
    own.as_object_mut().unwrap().remove("couple_id");
    own["client_id"] = json!(a_id);
    let own = release(&app, &w, own).await["id"].as_str().unwrap().to_string();
    sign(&app, &w.a, &own, "Alex Own").await.expect(200);
    app.post(&format!("/api/v1/releases/{own}/disclose"), Some(&w.counselor), json!({})).await.expect(200);
    let (status, _, pdf) = fetch_pdf(&app, &format!("/api/v1/releases/{own}/document"), &w.counselor).await;
    assert_eq!(status, 200);
    let text = pdf_text(&pdf, "own");
    assert!(text.contains("Records: The records of") && text.contains("signed “Alex Own”"), "{text}");
    assert!(!text.contains("joint records"), "{text}");
    // A release nobody can see: 404, the same as one that does not exist.
    app.get(&format!("/api/v1/releases/{}/document", mend::db::new_id()), Some(&w.counselor)).await.problem(404);
    app.get("/api/v1/releases/not-a-uuid/document", Some(&w.counselor)).await.problem(400);
}

/// Markers in every record of the couple that one partner's portal never shows the other.
struct Marked {
    release: String,
    a_assessment: String,
    b_assessment: String,
    a_only_session: String,
}

async fn marked_release(app: &TestApp, w: &World) -> Marked {
    let c = Some(&w.counselor);
    let [pa, pb] = w.couple.partners.clone();
    let both = completed_session(app, w, "2026-03-10T15:00:00", vec![pa.clone(), pb.clone()], "MARK-SUM-BOTH").await;
    let a_only = completed_session(app, w, "2026-03-11T15:00:00", vec![pa.clone()], "MARK-SUM-A-ONLY").await;
    insert_signed_note(app, &w.p.id, &both, Some(&w.couple.id), None, &w.counselor.id, "MARK-NOTE-BOTH").await;
    insert_signed_note(app, &w.p.id, &a_only, Some(&w.couple.id), None, &w.counselor.id, "MARK-NOTE-A-ONLY").await;
    let act = id_of(&activity(app, w, &w.couple, json!({"title": "MARK-ACTIVITY"})).await);
    let log = |days_ago: i64, reflection: &str, share: bool| json!({"done_on": day(-days_ago), "completed": true, "reflection": reflection, "share_with_partner": share});
    portal_log(app, &w.a, &act, log(1, "MARK-A-PRIVATE-REFLECTION", false)).await.expect(201);
    portal_log(app, &w.a, &act, log(2, "MARK-A-SHARED-REFLECTION", true)).await.expect(201);
    portal_log(app, &w.b, &act, log(1, "MARK-B-PRIVATE-REFLECTION", false)).await.expect(201);
    activity(app, w, &w.couple, json!({"title": "MARK-A-ONLY-ACTIVITY", "assigned_to": pa})).await;
    let made = app
        .post(&format!("/api/v1/couples/{}/assessments", w.couple.id), c, json!({"instrument": "csi-4"}))
        .await
        .expect(201)
        .json();
    let mut by_client = std::collections::HashMap::new();
    for item in made["items"].as_array().unwrap() {
        let id = id_of(item);
        app.post(
            &format!("/api/v1/assessments/{id}/responses"),
            c,
            json!({"answers": {"q1": 6, "q2": 5, "q3": 5, "q4": 5}}),
        )
        .await
        .expect(200);
        by_client.insert(item["client_id"].as_str().unwrap().to_string(), id);
    }
    let include = json!(["sessions", "summaries", "activities", "assessments", "boundaries", "milestones", "letters"]);
    let mut body = release_body(&w.couple.id, include);
    body["include_mediation_notes"] = json!(true);
    let release = release(app, w, body).await["id"].as_str().unwrap().to_string();
    Marked {
        release,
        a_assessment: by_client[&pa].clone(),
        b_assessment: by_client[&pb].clone(),
        a_only_session: a_only,
    }
}

fn withheld(preview: &Value) -> Vec<(String, u64, String)> {
    preview["withheld"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["kind"].as_str().unwrap().into(),
                w["count"].as_u64().unwrap(),
                w["description"].as_str().unwrap().into(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_partners_preview_counts_and_never_shows_what_their_portal_never_shows() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let m = marked_release(&app, &w).await;
    let path = format!("/api/v1/portal/releases/{}/preview", m.release);
    let never_to_anyone =
        ["MARK-NOTE-BOTH", "MARK-NOTE-A-ONLY", "MARK-A-PRIVATE-REFLECTION", "MARK-B-PRIVATE-REFLECTION"];

    let a = app.get(&path, Some(&w.a)).await.expect(200);
    for shown in [
        "MARK-SUM-BOTH",
        "MARK-SUM-A-ONLY",
        "MARK-ACTIVITY",
        "MARK-A-SHARED-REFLECTION",
        &m.a_assessment,
        &m.a_only_session,
    ] {
        assert!(a.text.contains(shown), "{shown} missing from A's preview: {}", a.text);
    }
    for hidden in never_to_anyone.iter().copied().chain([m.b_assessment.as_str()]) {
        assert!(!a.text.contains(hidden), "{hidden} is in A's preview: {}", a.text);
    }
    let av = a.json();
    assert_eq!(av["release"]["id"], json!(m.release));
    assert!(av["records"].get("mediation_notes").is_none());
    assert_eq!(
        withheld(&av),
        vec![
            ("mediation_notes".into(), 2, "2 mediation notes by your counselor".into()),
            ("partner_assessments".into(), 1, "1 questionnaire answered by your partner".into()),
        ]
    );

    let b = app.get(&path, Some(&w.b)).await.expect(200);
    for shown in ["MARK-SUM-BOTH", "MARK-ACTIVITY", "MARK-A-SHARED-REFLECTION", &m.b_assessment] {
        assert!(b.text.contains(shown), "{shown} missing from B's preview: {}", b.text);
    }
    for hidden in never_to_anyone.iter().copied().chain([
        "MARK-SUM-A-ONLY",
        "MARK-A-ONLY-ACTIVITY",
        &m.a_assessment,
        &m.a_only_session,
    ]) {
        assert!(!b.text.contains(hidden), "{hidden} is in B's preview: {}", b.text);
    }
    assert_eq!(
        withheld(&b.json()),
        vec![
            ("mediation_notes".into(), 2, "2 mediation notes by your counselor".into()),
            ("sessions_not_attended".into(), 1, "1 session you did not attend".into()),
            ("summaries_not_attended".into(), 1, "1 summary of a session you did not attend".into()),
            ("partner_assessments".into(), 1, "1 questionnaire answered by your partner".into()),
            ("partner_activities".into(), 1, "1 activity for your partner".into()),
        ]
    );
    assert!(audited_as(&app, &m.release, "read", "success", &w.a.id).await);
    assert!(audited_as(&app, &m.release, "read", "success", &w.b.id).await);

    // What was withheld is really in the release: the disclosure carries it.
    sign(&app, &w.a, &m.release, "Zoë").await.expect(200);
    sign(&app, &w.b, &m.release, "Sam").await.expect(200);
    let disclosed =
        app.post(&format!("/api/v1/releases/{}/disclose", m.release), Some(&w.counselor), json!({})).await.expect(200);
    for carried in [
        "MARK-SUM-A-ONLY",
        "MARK-A-ONLY-ACTIVITY",
        "MARK-NOTE-BOTH",
        "MARK-NOTE-A-ONLY",
        &m.a_assessment,
        &m.b_assessment,
    ] {
        assert!(disclosed.text.contains(carried), "{carried} missing from the disclosure");
    }
    // Once disclosed (or revoked) there is nothing left to preview.
    app.get(&path, Some(&w.a)).await.problem(409);
}

#[tokio::test]
async fn every_audience_on_the_preview() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let rel = release(&app, &w, release_body(&w.couple.id, json!(["sessions"]))).await;
    let id = rel["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/portal/releases/{id}/preview");
    app.get(&path, Some(&w.a)).await.expect(200);
    app.get(&path, Some(&w.b)).await.expect(200);
    // Staff, the assigned counselor included, never use the portal: 403.
    for u in w.staff() {
        app.get(&path, Some(u)).await.problem(403);
    }
    // A client of another couple: 404, audited as a denial on the release.
    let before = denials(&app, &id, &w.outsider.id).await;
    app.get(&path, Some(&w.outsider)).await.problem(404);
    assert_eq!(denials(&app, &id, &w.outsider.id).await, before + 1);
    // A client of another practice.
    let foreign_couple = app.couple(&w.foreign, &w.foreign_counselor).await;
    let foreigner = app.portal_user(&w.foreign, &foreign_couple.partners[0]).await;
    app.get(&path, Some(&foreigner)).await.problem(404);
    app.get(&path, None).await.problem(401);
    // A partner's own release is theirs alone: the other partner gets 404.
    let a_id = w.a.client_id.clone().unwrap();
    assign_client(&app, &w.p.id, &a_id, &w.counselor.id).await;
    let mut own = release_body(&w.couple.id, json!(["sessions"]));
    own.as_object_mut().unwrap().remove("couple_id");
    own["client_id"] = json!(a_id);
    let own = release(&app, &w, own).await["id"].as_str().unwrap().to_string();
    let own_path = format!("/api/v1/portal/releases/{own}/preview");
    app.get(&own_path, Some(&w.a)).await.expect(200);
    app.get(&own_path, Some(&w.b)).await.problem(404);
    // Revoked: nothing will be sent.
    app.post(&format!("/api/v1/portal/releases/{id}/revoke"), Some(&w.a), json!({})).await.expect(200);
    app.get(&path, Some(&w.b)).await.problem(409);
}
