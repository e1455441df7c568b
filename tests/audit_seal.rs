//! The sealed audit trail (`mend::seal`): events sealed once each, in one chain, with their
//! subjects; `mend audit verify` finds an edited, an inserted and a deleted event (changed in
//! the database as a superuser would), a forged checkpoint, and, with a checkpoint kept outside,
//! a rewrite of the whole chain.

mod common;

use common::clinical::Cast;
use common::seal::*;
use common::*;
use mend::domain::signed_note::{open, AuditKey, Checkpoint};
use serde_json::json;

/// Reads, writes and denials about the cast's records: (couple session id).
async fn traffic(app: &TestApp, cast: &Cast) -> String {
    let couple = &cast.couple.id;
    app.get(&format!("/api/v1/couples/{couple}"), Some(&cast.counselor)).await.expect(200);
    app.get(&format!("/api/v1/couples/{couple}"), Some(&cast.other)).await.expect(404);
    app.get(&format!("/api/v1/clients/{}", cast.solo), Some(&cast.counselor)).await.expect(200);
    app.get("/api/v1/portal/me", Some(&cast.partner_a)).await.expect(200);
    static DAY: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(3);
    let day = DAY.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let starts_at = format!("{}T10:00:00Z", (chrono::Utc::now() + chrono::Duration::days(day)).date_naive());
    let body = json!({"couple_id": couple, "starts_at": starts_at, "duration_minutes": 60, "modality": "in_person"});
    let session = app.post("/api/v1/sessions", Some(&cast.counselor), body).await.expect(201).json();
    let session = session["id"].as_str().expect("id").to_string();
    app.get(&format!("/api/v1/sessions/{session}"), Some(&cast.counselor)).await.expect(200);
    app.get(&format!("/api/v1/clients/{}", cast.solo), Some(&cast.foreign_counselor)).await.expect(404);
    session
}

async fn sealed_trail() -> (TestApp, Cast, String) {
    let app = TestApp::spawn().await;
    let cast = Cast::new(&app).await;
    let session = traffic(&app, &cast).await;
    let pass = seal(&app).await;
    assert!(pass.held && pass.sealed >= 7, "{pass:?}");
    assert!(pass.checkpoint.is_some(), "a checkpoint of what was sealed");
    (app, cast, session)
}

/// The event at `seq`.
async fn event_at(app: &TestApp, seq: i64) -> String {
    chain(app).await.into_iter().find(|(s, _)| *s == seq).expect("seq").1
}

#[tokio::test]
async fn an_intact_trail_verifies_with_every_event_sealed_once_in_order() {
    let (app, cast, _) = sealed_trail().await;
    let links = chain(&app).await;
    assert_eq!(links.len() as i64, event_count(&app).await, "every event is sealed");
    assert!(links.iter().enumerate().all(|(i, (seq, _))| *seq == i as i64 + 1), "seqs 1..n without a gap");
    let mut ids: Vec<&String> = links.iter().map(|(_, id)| id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), links.len(), "no event twice");
    // More traffic, sealed later: the chain continues from its head, with a second checkpoint.
    traffic(&app, &cast).await;
    let before = links.len() as i64;
    let pass = seal(&app).await;
    assert_eq!(pass.head, event_count(&app).await);
    assert!(pass.head > before);
    assert_eq!(pass.checkpoint.as_ref().map(|c| c.size), Some(pass.head));
    let report = verify_in_process(&app, None).await;
    assert!(report.ok(), "{:?}", report.findings);
    assert_eq!((report.sealed, report.checkpoints, report.unsealed), (pass.head, 2, 0));
    let (code, out) = verify_cli(&app, None).await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(&format!("ok. {} events in one chain", pass.head)), "{out}");
}

#[tokio::test]
async fn an_edited_event_is_found_and_named() {
    let (app, _, _) = sealed_trail().await;
    let victim = event_at(&app, 3).await;
    as_superuser(&app, format!("UPDATE audit_events SET outcome = 'success', actor_id = NULL WHERE id = '{victim}'"))
        .await;
    let (code, out) = verify_cli(&app, None).await;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(&format!("First bad event: seq 3, event {victim}: changed")), "{out}");
}

#[tokio::test]
async fn a_deleted_event_is_found_and_named() {
    let (app, _, _) = sealed_trail().await;
    let victim = event_at(&app, 4).await;
    as_superuser(&app, format!("DELETE FROM audit_events WHERE id = '{victim}'")).await;
    let (code, out) = verify_cli(&app, None).await;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(&format!("First bad event: seq 4, event {victim}: deleted")), "{out}");

    // Its link deleted too: the gap names the seq.
    as_superuser(
        &app,
        format!("DELETE FROM audit_subjects WHERE event_id = '{victim}'; DELETE FROM audit_chain WHERE seq = 4"),
    )
    .await;
    let (code, out) = verify_cli(&app, None).await;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("First bad event: seq 4: deleted: the chain skips from seq 3 to 5"), "{out}");
}

#[tokio::test]
async fn an_inserted_event_is_found_and_named() {
    let (app, cast, _) = sealed_trail().await;
    // Backdated an hour, as someone planting "who looked" in the past would.
    let forged = id_of_seconds_ago(3600);
    as_superuser(&app, insert_event_sql(&forged, &cast.p.id, 3600, &cast.solo)).await;
    let (code, out) = verify_cli(&app, None).await;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(&format!("First bad event: event {forged}: inserted")), "{out}");
}

/// An event inserted into the sealed history with the chain re-linked around it (the attacker
/// recomputes every hash but cannot sign): the checkpoint's signed hash no longer matches, and
/// the attacker's own checkpoint is signed by a key the verifier does not know.
#[tokio::test]
async fn an_inserted_event_with_the_chain_relinked_is_found_by_the_checkpoint() {
    let (app, cast, _) = sealed_trail().await;
    let size = chain(&app).await.len();
    let forged = id_of_seconds_ago(3600);
    as_superuser(
        &app,
        format!(
            "{}; DELETE FROM audit_subjects; DELETE FROM audit_chain; UPDATE audit_seal_lease SET scan_from = ''",
            insert_event_sql(&forged, &cast.p.id, 3600, &cast.solo)
        ),
    )
    .await;
    let attacker =
        AuditKey::from_seed_base64(mend::config::DEFAULT_AUDIT_ORIGIN, &AuditKey::generate_seed_base64()).expect("key");
    let pass = seal_with(&app, attacker).await;
    assert_eq!(pass.head as usize, size + 1, "the forged event is sealed first, the chain re-linked after it");
    let report = verify_in_process(&app, None).await;
    assert!(!report.ok());
    let first = &report.findings[0];
    assert_eq!(first.seq, Some(1), "{:?}", report.findings);
    assert!(
        first.problem.contains(&format!("checkpoint of size {size}: the chain was rewritten between seq 1 and {size}")),
        "{first}"
    );
    assert!(
        report.findings.iter().any(|f| f.problem.contains("signed by no key this verifier knows")),
        "{:?}",
        report.findings
    );
    let (code, out) = verify_cli(&app, None).await;
    assert_eq!(code, 1, "{out}");
}

#[tokio::test]
async fn a_forged_checkpoint_signature_is_found() {
    let (app, _, _) = sealed_trail().await;
    let size = chain(&app).await.len();
    // Flip one byte of the signature.
    let note = app.sql(|c| mend::store::audit_chain::last_checkpoint(c).expect("checkpoint").expect("one").note).await;
    let (text, sig) = note.rsplit_once(' ').expect("signature");
    let mut bytes = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, sig.trim()).expect("b64");
    bytes[10] ^= 1;
    let forged = format!("{text} {}\n", base64::Engine::encode(&base64::engine::general_purpose::STANDARD, bytes));
    as_superuser(&app, format!("UPDATE audit_checkpoints SET note = '{forged}' WHERE size = {size}")).await;
    let (code, out) = verify_cli(&app, None).await;
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!("checkpoint of size {size}")) && out.contains("does not verify: forged or altered"),
        "{out}"
    );
}

/// An attacker who holds the signing key rewrites the whole chain (an event deleted, every
/// link and checkpoint made again and signed): the database alone cannot show it, a
/// checkpoint kept outside does.
#[tokio::test]
async fn an_outside_checkpoint_catches_a_rewrite_of_the_whole_chain() {
    let (app, _, _) = sealed_trail().await;
    let outside =
        app.sql(|c| mend::store::audit_chain::last_checkpoint(c).expect("checkpoint").expect("one").note).await;
    let kept = Checkpoint::parse(&open(&outside, &[key().verifier()]).expect("opens").text).expect("checkpoint");
    assert_eq!((verify_cli(&app, Some(&outside)).await.0), 0, "the intact trail matches the outside copy");

    let victim = event_at(&app, 2).await;
    as_superuser(
        &app,
        format!(
            "DELETE FROM audit_events WHERE id = '{victim}'; DELETE FROM audit_subjects; DELETE FROM audit_chain; \
             DELETE FROM audit_checkpoints; UPDATE audit_seal_lease SET scan_from = ''"
        ),
    )
    .await;
    let pass = seal(&app).await;
    assert_eq!(pass.head as u64, kept.size - 1);
    let (code, out) = verify_cli(&app, None).await;
    assert_eq!(code, 0, "with the key, a rewrite verifies on its own: {out}");
    let (code, out) = verify_cli(&app, Some(&outside)).await;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("the outside checkpoint"), "{out}");
}

/// An event that commits after later ones were sealed (a long write transaction: its id and
/// `at` are older than the chain's head) is sealed by the next pass, with a higher seq, and
/// the trail verifies.
#[tokio::test]
async fn an_event_committed_late_is_sealed_later_with_a_higher_seq() {
    let (app, cast, _) = sealed_trail().await;
    let head = chain(&app).await.len() as i64;
    let late = id_of_seconds_ago(20);
    let sql = insert_event_sql(&late, &cast.p.id, 20, &cast.solo);
    app.sql(move |c| diesel::connection::SimpleConnection::batch_execute(c, &sql).expect("insert")).await;
    traffic(&app, &cast).await;
    let pass = seal(&app).await;
    let links = chain(&app).await;
    let (seq, _) = links.iter().find(|(_, id)| *id == late).expect("the late event is sealed");
    assert!(*seq > head, "sealed after the head it predates");
    assert!(links.iter().any(|(s, id)| s < seq && *id > late), "an event with a newer id has a lower seq");
    assert_eq!(pass.head, event_count(&app).await);
    let report = verify_in_process(&app, None).await;
    assert!(report.ok(), "{:?}", report.findings);
}

/// On PostgreSQL, a real concurrent transaction: its event is invisible to a pass while it is
/// open, and sealed by the next pass once it commits.
#[tokio::test]
async fn a_transaction_open_during_a_pass_is_sealed_after_it_commits() {
    if !is_postgres() {
        return; // SQLite has one writer: a pass waits for the open transaction (busy timeout).
    }
    use diesel::Connection;
    let (app, cast, _) = sealed_trail().await;
    let mut open_tx = diesel::PgConnection::establish(&app.config_url).expect("connect");
    let late = mend::db::new_id();
    let sql = insert_event_sql(&late, &cast.p.id, 0, &cast.solo);
    diesel::connection::SimpleConnection::batch_execute(&mut open_tx, &format!("BEGIN; {sql}")).expect("begin");
    traffic(&app, &cast).await;
    seal(&app).await;
    assert!(!chain(&app).await.iter().any(|(_, id)| *id == late), "not committed: not sealed");
    diesel::connection::SimpleConnection::batch_execute(&mut open_tx, "COMMIT").expect("commit");
    seal(&app).await;
    let links = chain(&app).await;
    let (seq, _) = links.iter().find(|(_, id)| *id == late).expect("sealed once committed");
    assert!(links.iter().any(|(s, id)| s < seq && *id > late), "later ids were sealed before it");
    assert!(verify_in_process(&app, None).await.ok());
}

/// Two sealers at once (two instances): one holds the lease, the other does nothing; the chain
/// stays one, with every event once.
#[tokio::test]
async fn two_sealers_at_once_make_one_chain() {
    let (app, cast, _) = sealed_trail().await;
    let settings = settings();
    let mut handles = Vec::new();
    for holder in ["instance-a", "instance-b"] {
        let (db, settings) = (app.db.clone(), settings.clone());
        handles.push(tokio::task::spawn_blocking(move || {
            let mut held = 0;
            for _ in 0..40 {
                let mut conn = db.get().expect("conn");
                let pass = mend::seal::sealer::seal_once(
                    &mut conn,
                    holder,
                    &settings,
                    (mend::seal::sealer::Scan::Wide, None),
                    false,
                )
                .expect("pass");
                held += pass.held as usize;
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            held
        }));
    }
    for _ in 0..3 {
        traffic(&app, &cast).await;
    }
    let held: Vec<usize> = futures_join(handles).await;
    assert!(held.iter().filter(|h| **h > 0).count() == 1, "one instance held the lease: {held:?}");
    // The lease holder renewed it; a new sealer waits for it to expire. Release it, as a stop does.
    app.sql(|c| {
        for h in ["instance-a", "instance-b"] {
            mend::store::audit_chain::release_lease(c, h, chrono::DateTime::UNIX_EPOCH.naive_utc()).expect("release");
        }
    })
    .await;
    seal(&app).await;
    assert_eq!(chain(&app).await.len() as i64, event_count(&app).await);
    assert!(verify_in_process(&app, None).await.ok());
}

async fn futures_join(handles: Vec<tokio::task::JoinHandle<usize>>) -> Vec<usize> {
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.expect("join"));
    }
    out
}

/// Subjects are the clients whose records an event touched, of the event's own practice only.
#[tokio::test]
async fn subjects_name_the_clients_whose_records_were_touched() {
    let (app, cast, session) = sealed_trail().await;
    let mut partners = cast.couple.partners.to_vec();
    partners.sort();
    let couple = subjects_of(&app, &cast.couple.id).await;
    assert!(
        couple.iter().any(|(a, o, s)| (a.as_str(), o.as_str()) == ("read", "success") && *s == partners),
        "{couple:?}"
    );
    assert!(
        couple.iter().any(|(a, o, s)| (a.as_str(), o.as_str()) == ("read", "denied") && *s == partners),
        "{couple:?}"
    );
    let sess = subjects_of(&app, &session).await;
    assert!(!sess.is_empty() && sess.iter().all(|(_, _, s)| *s == partners), "attendees: {sess:?}");
    let solo = subjects_of(&app, &cast.solo).await;
    let own_practice: Vec<_> = solo.iter().filter(|(_, o, _)| o == "success").collect();
    assert!(!own_practice.is_empty() && own_practice.iter().all(|(_, _, s)| *s == vec![cast.solo.clone()]), "{solo:?}");
    // The other practice's counselor asked for it: denied, and no subject (not their practice).
    assert!(solo.iter().any(|(_, o, s)| o == "denied" && s.is_empty()), "{solo:?}");

    // GET /audit-events?subject_id= lists exactly the events with that subject, each naming it.
    let body = app
        .get(&format!("/api/v1/audit-events?subject_id={}&limit=100", cast.couple.partners[0]), Some(&cast.p.admin))
        .await
        .expect(200)
        .json();
    let items = body["items"].as_array().expect("items");
    let partner = cast.couple.partners[0].clone();
    let expected: i64 = app
        .sql(move |c| {
            use diesel::prelude::*;
            use mend::db::schema::audit_subjects as s;
            s::table.filter(s::client_id.eq(partner)).count().get_result(c).expect("count")
        })
        .await;
    assert!(expected >= (couple.len() + sess.len() + 1) as i64, "couple, session and own portal reads");
    assert_eq!(items.len() as i64, expected, "{body}");
    assert!(items.iter().all(|i| i["subject_ids"].as_array().unwrap().iter().any(|s| s == &cast.couple.partners[0])));
    // A client of another practice is a 404, audited as denied.
    let foreign = app.client(&cast.foreign, None).await;
    app.get(&format!("/api/v1/audit-events?subject_id={foreign}"), Some(&cast.p.admin)).await.expect(404);
    assert_eq!(common::clinical::last_audit(&app, &foreign).await.1, "denied");
}

#[tokio::test]
async fn checkpoints_are_listed_for_admins_and_handed_to_webhooks() {
    let app = TestApp::spawn_with(common::webhooks::INSECURE).await;
    let cast = Cast::new(&app).await;
    common::webhooks::register(&app, &cast.p.admin, "http://127.0.0.1:9/hook", &["audit.checkpoint"]).await;
    traffic(&app, &cast).await;
    let pass = seal(&app).await;
    let cp = pass.checkpoint.expect("a checkpoint");

    let body = app.get("/api/v1/audit-checkpoints", Some(&cast.p.admin)).await.expect(200).json();
    let item = &body["items"][0];
    assert_eq!(item["size"], json!(cp.size));
    assert_eq!(item["key_id"], json!(key().verifier().id_hex()));
    let note = item["note"].as_str().expect("note");
    let opened = open(note, &[key().verifier()]).expect("a valid signed note");
    assert_eq!(opened.text, format!("{}\n{}\n{}\n", mend::config::DEFAULT_AUDIT_ORIGIN, cp.size, cp.hash));
    for user in [&cast.counselor, &cast.partner_a] {
        app.get("/api/v1/audit-checkpoints", Some(user)).await.expect(403);
    }
    app.get("/api/v1/audit-checkpoints", None).await.expect(401);

    let events = common::webhooks::outbox(&app, &cast.p.id).await;
    let (_, payload) = events.iter().find(|(t, _)| t == "audit.checkpoint").expect("an audit.checkpoint event");
    let payload: serde_json::Value = serde_json::from_str(payload).expect("json");
    assert_eq!(payload["data"]["size"], json!(cp.size));
    assert_eq!(payload["data"]["note"], json!(note));
    // Another practice without a webhook gets no event.
    assert!(common::webhooks::outbox(&app, &cast.foreign.id).await.is_empty());
}

/// The chain, its subjects and its checkpoints are append-only like the events: the database
/// refuses UPDATE and DELETE (and TRUNCATE on PostgreSQL).
#[tokio::test]
async fn the_database_refuses_to_change_the_seal() {
    let (app, _, _) = sealed_trail().await;
    let mut statements = Vec::new();
    for table in ["audit_chain", "audit_subjects", "audit_checkpoints"] {
        statements.push(format!("UPDATE {table} SET seq = seq"));
        statements.push(format!("DELETE FROM {table}"));
        if is_postgres() {
            statements.push(format!("TRUNCATE {table}"));
        }
    }
    let statements: Vec<String> = statements
        .into_iter()
        .map(|s| s.replace("audit_checkpoints SET seq = seq", "audit_checkpoints SET size = size"))
        .collect();
    let errors = app
        .sql(move |c| {
            use diesel::connection::SimpleConnection;
            statements.iter().map(|s| (s.clone(), c.batch_execute(s).map_err(|e| e.to_string()))).collect::<Vec<_>>()
        })
        .await;
    for (sql, result) in errors {
        assert!(result.as_ref().is_err_and(|e| e.contains("append-only")), "{sql}: {result:?}");
    }
    assert!(verify_in_process(&app, None).await.ok());
}
