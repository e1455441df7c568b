//! The FHIR R4 read API (`/fhir/R4`): every audience on every path, on the store the suite runs
//! on; nothing of another couple or practice in a search or `$everything`; audit of reads and
//! denials; mediation notes and unshared summaries never in any FHIR output; errors are
//! OperationOutcomes. (tests/fhir/run.sh validates the resources with an outside FHIR library.)

mod common;
#[path = "common/consent.rs"]
mod consent_helpers;

use common::trust::*;
use common::*;
use common::{between, measures};
use reqwest::Method;
use serde_json::{json, Value};

const FHIR: &str = "/fhir/R4";

/// Everything a couple has that FHIR shows, made through the JSON API.
struct Made {
    in_person: String,
    telehealth: String,
    milestone: String,
    assessment: String,
    pending_assessment: String,
    release: String,
}

/// A couple session `day` days from today at `hour`:00 UTC.
async fn session(app: &TestApp, counselor: &User, couple: &Couple, day: i64, hour: u32, modality: &str) -> String {
    let starts_at = format!("{}T{hour:02}:00:00Z", between::day(day));
    let body = json!({"couple_id": couple.id, "starts_at": starts_at, "duration_minutes": 60, "modality": modality});
    between::id_of(&app.post("/api/v1/sessions", Some(counselor), body).await.expect(201).json())
}

/// The couple's records; `hour` keeps two couples' sessions with one counselor apart.
async fn make(app: &TestApp, w: &World, couple: &Couple, partner_a: &User, hour: u32) -> Made {
    let in_person = session(app, &w.counselor, couple, 3, hour, "in_person").await;
    let telehealth = session(app, &w.counselor, couple, 5, hour, "telehealth").await;
    let c = Some(&w.counselor);
    let m = app
        .post(
            &format!("/api/v1/couples/{}/milestones", couple.id),
            c,
            json!({"title": "Name the betrayal", "phase": "acknowledge", "target_on": between::day(30)}),
        )
        .await
        .expect(201)
        .json();
    let milestone = between::id_of(&m);
    app.patch(&format!("/api/v1/milestones/{milestone}"), c, json!({"status": "in_progress"})).await.expect(200);
    between::activity(app, w, couple, json!({"cadence": "weekly", "times_per_period": 2})).await;
    let [mine, theirs] = measures::assign(app, w, couple).await;
    measures::answer(app, partner_a, &mine, measures::csi4(4, 3, 5, 2)).await.expect(200);
    let r = consent_helpers::release(
        app,
        w,
        consent_helpers::release_body(&couple.id, json!(["sessions", "milestones", "assessments"])),
    )
    .await;
    let release = between::id_of(&r);
    consent_helpers::authorize(app, partner_a, &release).await.expect(200);
    Made { in_person, telehealth, milestone, assessment: mine, pending_assessment: theirs, release }
}

/// Asserts an OperationOutcome answer with `status` and the issue `code`.
#[track_caller]
fn outcome(resp: Resp, status: u16, code: &str) -> Value {
    let resp = resp.expect(status);
    assert_eq!(resp.header("content-type").as_deref(), Some("application/fhir+json"), "{}", resp.text);
    let body = resp.json();
    assert_eq!(body["resourceType"], "OperationOutcome", "{body}");
    assert_eq!(body["issue"][0]["severity"], "error");
    assert_eq!(body["issue"][0]["code"], code, "{body}");
    body
}

#[track_caller]
fn resource(resp: Resp, kind: &str) -> Value {
    let resp = resp.expect(200);
    assert_eq!(resp.header("content-type").as_deref(), Some("application/fhir+json"));
    let body = resp.json();
    assert_eq!(body["resourceType"], kind, "{body}");
    body
}

/// (path, resource type answered, audited resource id) of every FHIR read of one couple.
fn paths(w: &World, m: &Made) -> Vec<(String, &'static str, String)> {
    let k = &w.couple.id;
    let pa = &w.couple.partners[0];
    vec![
        (format!("{FHIR}/Patient/{pa}"), "Patient", pa.clone()),
        (format!("{FHIR}/Group/{k}"), "Group", k.clone()),
        (format!("{FHIR}/Group/{k}/$everything"), "Bundle", k.clone()),
        (format!("{FHIR}/Encounter/{}", m.in_person), "Encounter", m.in_person.clone()),
        (format!("{FHIR}/Encounter?subject=Group/{k}"), "Bundle", k.clone()),
        (format!("{FHIR}/CarePlan/{k}"), "CarePlan", k.clone()),
        (format!("{FHIR}/Goal/{}", m.milestone), "Goal", m.milestone.clone()),
        (format!("{FHIR}/Goal?subject=Group/{k}"), "Bundle", k.clone()),
        (format!("{FHIR}/QuestionnaireResponse/{}", m.assessment), "QuestionnaireResponse", m.assessment.clone()),
        (format!("{FHIR}/Observation/{}", m.assessment), "Observation", m.assessment.clone()),
        (format!("{FHIR}/Consent/{}", m.release), "Consent", m.release.clone()),
    ]
}

#[tokio::test]
async fn every_audience_on_every_fhir_path() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let m = make(&app, &w, &w.couple, &w.a, 15).await;
    for (path, kind, id) in paths(&w, &m) {
        // The assigned counselor reads it, audited.
        let before = app.audit_rows(&id).await.len();
        let body = resource(app.get(&path, Some(&w.counselor)).await, kind);
        if kind != "Bundle" {
            assert_eq!(body["id"], id.as_str(), "{path}");
        }
        let rows = app.audit_rows(&id).await;
        assert_eq!(rows.len(), before + 1, "{path}: one audit event");
        let (action, result, actor) = rows.last().expect("event").clone();
        assert_eq!((result.as_str(), actor.as_str()), ("success", w.counselor.id.as_str()), "{path}");
        assert_eq!(action, if path.contains('?') { "list" } else { "read" }, "{path}");

        // Unassigned staff of this practice and of another: 404 and a denial (an admin of the
        // practice sees every client's demographics, as in the JSON API).
        for u in w.unassigned_staff() {
            if kind == "Patient" && u.id == w.p.admin.id {
                resource(app.get(&path, Some(u)).await, "Patient");
                continue;
            }
            let before = denials(&app, &id, &u.id).await;
            outcome(app.get(&path, Some(u)).await, 404, "not-found");
            assert_eq!(denials(&app, &id, &u.id).await, before + 1, "{path}: a denial for {}", u.id);
        }
        // Clients (partners and another couple's): 403, audited; anonymous: 401.
        for u in w.clients() {
            outcome(app.get(&path, Some(u)).await, 403, "forbidden");
        }
        let r = app.get(&path, None).await;
        assert_eq!(r.header("www-authenticate").as_deref(), Some("Bearer"));
        outcome(r, 401, "login");
    }
    // A partner's attempt is in the trail as denied.
    assert!(denials(&app, &w.couple.id, &w.a.id).await >= 1);

    // The CapabilityStatement is public and lists exactly what is served.
    for u in [None, Some(&w.a), Some(&w.counselor)] {
        let cs = resource(app.get(&format!("{FHIR}/metadata"), u).await, "CapabilityStatement");
        assert_eq!(cs["fhirVersion"], "4.0.1");
        let kinds: Vec<&str> =
            cs["rest"][0]["resource"].as_array().unwrap().iter().map(|r| r["type"].as_str().unwrap()).collect();
        assert_eq!(
            kinds,
            ["Patient", "Group", "Encounter", "CarePlan", "Goal", "QuestionnaireResponse", "Observation", "Consent"]
        );
    }
}

#[tokio::test]
async fn resources_carry_the_mapping() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let m = make(&app, &w, &w.couple, &w.a, 15).await;
    let c = Some(&w.counselor);
    let k = &w.couple.id;
    let [pa, pb] = w.couple.partners.clone();

    let group = resource(app.get(&format!("{FHIR}/Group/{k}"), c).await, "Group");
    assert_eq!((group["type"].as_str(), group["actual"].as_bool()), (Some("person"), Some(true)));
    let members: Vec<&str> =
        group["member"].as_array().unwrap().iter().map(|m| m["entity"]["reference"].as_str().unwrap()).collect();
    assert_eq!(members, [format!("Patient/{pa}"), format!("Patient/{pb}")]);
    assert!(group["member"][0]["period"]["start"].is_string());

    let r = app.get(&format!("{FHIR}/Encounter/{}", m.in_person), c).await;
    assert_eq!(r.header("etag").as_deref(), Some("W/\"1\""));
    let e = resource(r, "Encounter");
    assert_eq!((e["class"]["code"].as_str(), e["status"].as_str()), (Some("AMB"), Some("planned")));
    assert_eq!(e["subject"]["reference"], format!("Group/{k}"));
    assert_eq!(e["participant"][0]["individual"]["identifier"]["value"], w.counselor.id.as_str());
    assert!(e["period"]["start"].as_str().unwrap().ends_with("15:00:00Z"));
    let e = resource(app.get(&format!("{FHIR}/Encounter/{}", m.telehealth), c).await, "Encounter");
    assert_eq!(e["class"]["code"], "VR");
    app.patch(
        &format!("/api/v1/sessions/{}", m.telehealth),
        c,
        json!({"status": "cancelled", "cancellation_reason": "ill"}),
    )
    .await
    .expect(200);
    let e = resource(app.get(&format!("{FHIR}/Encounter/{}", m.telehealth), c).await, "Encounter");
    assert_eq!(e["status"], "cancelled");

    let goal = resource(app.get(&format!("{FHIR}/Goal/{}", m.milestone), c).await, "Goal");
    assert_eq!(goal["lifecycleStatus"], "active");
    assert_eq!(goal["achievementStatus"]["coding"][0]["code"], "in-progress");
    assert_eq!(goal["description"]["text"], "Name the betrayal");
    assert_eq!(goal["subject"]["reference"], format!("Group/{k}"));

    let plan = resource(app.get(&format!("{FHIR}/CarePlan/{k}"), c).await, "CarePlan");
    assert_eq!((plan["status"].as_str(), plan["intent"].as_str()), (Some("active"), Some("plan")));
    assert_eq!(plan["goal"], json!([{"reference": format!("Goal/{}", m.milestone)}]));
    let detail = &plan["activity"][0]["detail"];
    assert_eq!(detail["status"], "in-progress");
    assert_eq!(detail["scheduledTiming"]["repeat"]["frequency"], 2);
    assert_eq!(detail["scheduledTiming"]["repeat"]["periodUnit"], "wk");
    assert_eq!(detail["performer"].as_array().unwrap().len(), 2);

    let qr =
        resource(app.get(&format!("{FHIR}/QuestionnaireResponse/{}", m.assessment), c).await, "QuestionnaireResponse");
    assert_eq!(qr["status"], "completed");
    assert_eq!(qr["subject"]["reference"], format!("Patient/{pa}"));
    assert_eq!(qr["item"].as_array().unwrap().len(), 4);
    let obs = resource(app.get(&format!("{FHIR}/Observation/{}", m.assessment), c).await, "Observation");
    assert_eq!(obs["category"][0]["coding"][0]["code"], "survey");
    let score = app.get(&format!("/api/v1/assessments/{}", m.assessment), c).await.expect(200).json()["score"].clone();
    assert_eq!(obs["valueInteger"], score);
    assert_eq!(obs["derivedFrom"][0]["reference"], format!("QuestionnaireResponse/{}", m.assessment));
    // A pending assessment has no response and no score yet.
    outcome(app.get(&format!("{FHIR}/QuestionnaireResponse/{}", m.pending_assessment), c).await, 404, "not-found");
    outcome(app.get(&format!("{FHIR}/Observation/{}", m.pending_assessment), c).await, 404, "not-found");

    let consent = resource(app.get(&format!("{FHIR}/Consent/{}", m.release), c).await, "Consent");
    assert_eq!(consent["status"], "proposed");
    assert_eq!(consent["performer"].as_array().unwrap().len(), 2);
    assert_eq!(consent["verification"][0]["verifiedWith"]["reference"], format!("Patient/{pa}"));
    assert_eq!(consent["provision"]["type"], "permit");
    consent_helpers::authorize(&app, &w.b, &m.release).await.expect(200);
    let consent = resource(app.get(&format!("{FHIR}/Consent/{}", m.release), c).await, "Consent");
    assert_eq!(consent["status"], "active");
}

/// Every `reference` in a Bundle resolves to one of its entries.
fn dangling(bundle: &Value) -> Vec<String> {
    let mut held = std::collections::HashSet::new();
    for e in bundle["entry"].as_array().unwrap() {
        let local =
            format!("{}/{}", e["resource"]["resourceType"].as_str().unwrap(), e["resource"]["id"].as_str().unwrap());
        assert!(e["fullUrl"].as_str().unwrap().ends_with(&format!("/fhir/R4/{local}")), "{e}");
        held.insert(local);
    }
    let mut refs = Vec::new();
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    if k == "reference" {
                        if let Some(s) = v.as_str() {
                            out.push(s.to_string());
                        }
                    }
                    walk(v, out);
                }
            }
            Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    walk(bundle, &mut refs);
    refs.into_iter().filter(|r| !held.contains(r)).collect()
}

fn kinds(bundle: &Value) -> Vec<String> {
    let mut k: Vec<String> = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["resource"]["resourceType"].as_str().unwrap().to_string())
        .collect();
    k.sort();
    k
}

#[tokio::test]
async fn searches_and_everything_hold_only_the_couples_records() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let m = make(&app, &w, &w.couple, &w.a, 15).await;
    let other = make(&app, &w, &w.other_couple, &w.outsider, 11).await;
    // Another practice's couple with its own records, under its own counselor.
    let foreign = app.couple(&w.foreign, &w.foreign_counselor).await;
    let foreign_session = session(&app, &w.foreign_counselor, &foreign, 4, 15, "in_person").await;
    // A partner's individual session is not the couple's.
    consent_helpers::assign_client(&app, &w.p.id, &w.couple.partners[0], &w.counselor.id).await;
    let solo = between::id_of(
        &app.post(
            "/api/v1/sessions",
            Some(&w.counselor),
            json!({"client_id": w.couple.partners[0], "starts_at": format!("{}T09:00:00Z", between::day(7)),
                   "duration_minutes": 50, "modality": "phone"}),
        )
        .await
        .expect(201)
        .json(),
    );
    let c = Some(&w.counselor);
    let k = &w.couple.id;

    let all = resource(app.get(&format!("{FHIR}/Group/{k}/$everything"), c).await, "Bundle");
    assert_eq!(all["type"], "searchset");
    assert_eq!(
        kinds(&all),
        [
            "CarePlan",
            "Consent",
            "Encounter",
            "Encounter",
            "Goal",
            "Group",
            "Observation",
            "Patient",
            "Patient",
            "QuestionnaireResponse"
        ]
    );
    assert_eq!(all["total"], 10);
    assert_eq!(dangling(&all), Vec::<String>::new());
    let text = all.to_string();
    for id in [
        &other.in_person,
        &other.milestone,
        &other.assessment,
        &other.release,
        &foreign_session,
        &solo,
        &w.other_couple.id,
    ] {
        assert!(!text.contains(id.as_str()), "$everything holds {id} of someone else");
    }
    assert!(text.contains(&m.telehealth));

    let enc = resource(app.get(&format!("{FHIR}/Encounter?subject=Group/{k}"), c).await, "Bundle");
    let ids: Vec<&str> =
        enc["entry"].as_array().unwrap().iter().map(|e| e["resource"]["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [m.in_person.as_str(), m.telehealth.as_str()]);
    assert_eq!(enc["entry"][0]["search"]["mode"], "match");
    assert!(enc["entry"][0]["fullUrl"].as_str().unwrap().ends_with(&format!("/fhir/R4/Encounter/{}", m.in_person)));
    // The client's individual sessions, by Patient.
    let indiv =
        resource(app.get(&format!("{FHIR}/Encounter?subject=Patient/{}", w.couple.partners[0]), c).await, "Bundle");
    let ids: Vec<&str> =
        indiv["entry"].as_array().unwrap().iter().map(|e| e["resource"]["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [solo.as_str()]);
    // Paging: one per page, the next link continues.
    let first = resource(app.get(&format!("{FHIR}/Encounter?subject=Group/{k}&_count=1"), c).await, "Bundle");
    assert_eq!(first["entry"].as_array().unwrap().len(), 1);
    assert_eq!(first["total"], json!(null));
    let next = first["link"].as_array().unwrap().iter().find(|l| l["relation"] == "next").expect("next")["url"].clone();
    let path = next.as_str().unwrap().split_once("/fhir/R4").unwrap().1.to_string();
    let second = resource(app.get(&format!("{FHIR}{path}"), c).await, "Bundle");
    assert_eq!(second["entry"][0]["resource"]["id"], m.telehealth.as_str());
    assert!(second["link"].as_array().unwrap().iter().all(|l| l["relation"] != "next"));

    let goals = resource(app.get(&format!("{FHIR}/Goal?subject=Group/{k}"), c).await, "Bundle");
    assert_eq!(goals["total"], 1);
    assert_eq!(goals["entry"][0]["resource"]["id"], m.milestone.as_str());
    // Another practice's counselor searching this couple: 404, nothing listed.
    outcome(app.get(&format!("{FHIR}/Goal?subject=Group/{k}"), Some(&w.foreign_counselor)).await, 404, "not-found");
    outcome(app.get(&format!("{FHIR}/Encounter?subject=Group/{k}"), Some(&w.other_counselor)).await, 404, "not-found");
    // The couple's counselor, not assigned to the partner alone in the other couple, sees no
    // individual sessions through the couple.
    outcome(app.get(&format!("{FHIR}/Encounter?subject=Patient/{}", w.couple.partners[1]), c).await, 404, "not-found");
}

#[tokio::test]
async fn mediation_notes_and_unshared_summaries_never_leave_through_fhir() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let m = make(&app, &w, &w.couple, &w.a, 15).await;
    let c = Some(&w.counselor);
    let (note_marker, addendum_marker, summary_marker) =
        ("NOTE-MARKER-7f3a", "ADDENDUM-MARKER-19bc", "SUMMARY-MARKER-c2d8");
    let note = app
        .post(
            &format!("/api/v1/sessions/{}/notes", m.in_person),
            c,
            json!({"body": format!("The partners said {note_marker}"), "topics": [note_marker], "agreements": [note_marker]}),
        )
        .await
        .expect(201)
        .json();
    let note_id = between::id_of(&note);
    app.post(&format!("/api/v1/notes/{note_id}/sign"), c, json!({})).await.expect(200);
    app.post(&format!("/api/v1/notes/{note_id}/addenda"), c, json!({"body": addendum_marker})).await.expect(201);
    app.put(&format!("/api/v1/sessions/{}/summary", m.in_person), c, json!({"text": summary_marker})).await.expect(200);
    // A release that includes mediation notes still carries none through FHIR.
    let r = consent_helpers::release(&app, &w, {
        let mut b = consent_helpers::release_body(&w.couple.id, json!(["sessions", "summaries"]));
        b["include_mediation_notes"] = json!(true);
        b
    })
    .await;
    let mut outputs = String::new();
    let mut all_paths: Vec<String> = paths(&w, &m).into_iter().map(|(p, _, _)| p).collect();
    all_paths.push(format!("{FHIR}/Consent/{}", between::id_of(&r)));
    all_paths.push(format!("{FHIR}/Encounter?subject=Patient/{}", w.couple.partners[0]));
    all_paths.push(format!("{FHIR}/metadata"));
    for path in &all_paths {
        let resp = app.get(path, c).await;
        assert!(resp.status == 200 || resp.status == 404, "{path}: {}", resp.status);
        outputs.push_str(&resp.text);
    }
    assert!(outputs.contains(&m.in_person), "the session itself is there");
    for marker in [note_marker, addendum_marker, summary_marker] {
        assert!(!outputs.contains(marker), "{marker} left through FHIR");
    }
    assert!(!outputs.contains(&note_id), "the note's id left through FHIR");
}

#[tokio::test]
async fn bad_ids_unknown_paths_and_bad_searches_are_operation_outcomes() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let c = Some(&w.counselor);
    let k = &w.couple.id;
    for kind in ["Patient", "Group", "Encounter", "CarePlan", "Goal", "QuestionnaireResponse", "Observation", "Consent"]
    {
        outcome(app.get(&format!("{FHIR}/{kind}/not-a-uuid"), c).await, 400, "invalid");
        // A well-formed id of nothing: 404, audited as denied.
        let nothing = mend::db::new_id();
        outcome(app.get(&format!("{FHIR}/{kind}/{nothing}"), c).await, 404, "not-found");
        assert_eq!(denials(&app, &nothing, &w.counselor.id).await, 1, "{kind}");
    }
    outcome(app.get(&format!("{FHIR}/Group/not-a-uuid/$everything"), c).await, 400, "invalid");
    outcome(app.get(&format!("{FHIR}/Practitioner/{}", w.counselor.id), c).await, 404, "not-found");
    outcome(app.get(&format!("{FHIR}/Patient"), c).await, 404, "not-found");
    outcome(app.get(&format!("{FHIR}/Group/{k}/$export"), c).await, 404, "not-found");
    let r = app
        .req(Method::POST, &format!("{FHIR}/Patient/{}", w.couple.partners[0]))
        .auth(c)
        .json(&json!({}))
        .send()
        .await;
    assert_eq!(r.header("allow").as_deref(), Some("GET"));
    outcome(r, 405, "not-supported");
    outcome(app.req(Method::DELETE, &format!("{FHIR}/metadata")).send().await, 405, "not-supported");
    for bad in [
        "",
        "?subject=Nope/x",
        "?subject=Group/not-a-uuid",
        "?subject=Practitioner/0190f0e0-0000-7000-8000-000000000001",
        &format!("?subject=Group/{k}&_count=0"),
        &format!("?subject=Group/{k}&_count=101"),
        &format!("?subject=Group/{k}&_cursor=garbage"),
        &format!("?subject=Group/{k}&_format=xml"),
        &format!("?subject=Group/{k}&status=planned"),
    ] {
        outcome(app.get(&format!("{FHIR}/Encounter{bad}"), c).await, 400, "invalid");
    }
    let issue =
        outcome(app.get(&format!("{FHIR}/Goal?subject=Patient/{}", w.couple.partners[0]), c).await, 400, "invalid");
    assert_eq!(issue["issue"][0]["expression"], json!(["subject"]));
    resource(app.get(&format!("{FHIR}/Goal?subject=Group/{k}&_format=json"), c).await, "Bundle");
    // Outside /fhir/R4 the JSON API's problems stay as they are.
    app.get("/fhir/R5/metadata", None).await.problem(404);
    app.get("/api/v1/clients/not-a-uuid", c).await.problem(400);
}

#[tokio::test]
async fn a_deactivated_counselors_token_stops_working_on_fhir_at_once() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let m = make(&app, &w, &w.couple, &w.a, 15).await;
    let paths = paths(&w, &m);
    resource(app.get(&paths[1].0, Some(&w.counselor)).await, "Group");
    app.patch(&format!("/api/v1/users/{}", w.counselor.id), Some(&w.p.admin), json!({"active": false}))
        .await
        .expect(200);
    for (path, _, _) in &paths {
        outcome(app.get(path, Some(&w.counselor)).await, 401, "login");
    }
}
