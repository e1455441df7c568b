//! Test helpers for the sealed audit trail: seal now, verify (in process and with the real
//! `mend audit verify`), and change the database as a superuser would.

use super::*;
use diesel::SqliteConnection;
use mend::domain::signed_note::AuditKey;
use mend::seal::sealer::{seal_all, Pass, Settings};
use mend::seal::verify::{verify, Report};

pub fn key() -> AuditKey {
    AuditKey::from_seed_base64(mend::config::DEFAULT_AUDIT_ORIGIN, AUDIT_KEY).expect("key")
}

pub fn settings() -> Settings {
    Settings::new(key())
}

/// Seals everything committed and signs a checkpoint, as the background sealer does, then
/// gives the lease up (as a stopping sealer does).
pub async fn seal(app: &TestApp) -> Pass {
    seal_with(app, key()).await
}

/// Seals with another key (an attacker's, or a rotated one).
pub async fn seal_with(app: &TestApp, key: AuditKey) -> Pass {
    app.sql(move |c| {
        let pass = seal_all(c, "test-sealer", &Settings::new(key)).expect("seal");
        let epoch = chrono::DateTime::UNIX_EPOCH.naive_utc();
        mend::store::audit_chain::release_lease(c, "test-sealer", epoch).expect("release");
        pass
    })
    .await
}

pub async fn verify_in_process(app: &TestApp, outside: Option<String>) -> Report {
    app.sql(move |c| verify(c, &[key().verifier()], outside.as_deref()).expect("verify")).await
}

/// Runs `mend audit verify [--checkpoint FILE]` on the test's database: (exit code, stdout).
pub async fn verify_cli(app: &TestApp, checkpoint: Option<&str>) -> (i32, String) {
    let url = app.config_url.clone();
    let file = checkpoint.map(|note| {
        let path = std::env::temp_dir().join(format!("mend-checkpoint-{}", new_id()));
        std::fs::write(&path, note).expect("write checkpoint");
        path
    });
    let args_file = file.clone();
    let out = tokio::task::spawn_blocking(move || {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_mend"));
        cmd.args(["audit", "verify"]);
        if let Some(f) = &args_file {
            cmd.arg("--checkpoint").arg(f);
        }
        cmd.env_clear()
            .env("DATABASE_URL", url)
            .env("MEND_JWT_SECRET", SECRET)
            .env("MEND_AUDIT_KEY", AUDIT_KEY)
            .env("MEND_LOG", "error")
            .output()
            .expect("run mend audit verify")
    })
    .await
    .expect("join");
    if let Some(f) = file {
        let _ = std::fs::remove_file(f);
    }
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).to_string())
}

/// Runs `sql` with the append-only rule lifted, as a database superuser (or someone editing a
/// restored backup) would: PostgreSQL with triggers and foreign keys off for the session,
/// SQLite with the triggers dropped and foreign keys off.
pub async fn as_superuser(app: &TestApp, sql: String) {
    let url = app.config_url.clone();
    tokio::task::spawn_blocking(move || {
        if url.starts_with("postgres") {
            let mut c = PgConnection::establish(&url).expect("connect");
            c.batch_execute(&format!("SET session_replication_role = replica; {sql}")).expect("superuser sql");
        } else {
            let path = url.trim_start_matches("sqlite://");
            let mut c = SqliteConnection::establish(path).expect("open");
            c.batch_execute("PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = OFF").expect("pragmas");
            for t in ["audit_events", "audit_chain", "audit_subjects", "audit_checkpoints"] {
                for op in ["update", "delete"] {
                    c.batch_execute(&format!("DROP TRIGGER IF EXISTS {t}_no_{op}")).expect("drop trigger");
                }
            }
            c.batch_execute(&sql).expect("superuser sql");
        }
    })
    .await
    .expect("join");
}

/// The chain as (seq, event id), in order.
pub async fn chain(app: &TestApp) -> Vec<(i64, String)> {
    use diesel::prelude::*;
    use mend::db::schema::audit_chain as c;
    app.sql(|conn| c::table.select((c::seq, c::event_id)).order(c::seq).load(conn).expect("chain")).await
}

/// How many events the trail holds.
pub async fn event_count(app: &TestApp) -> i64 {
    use diesel::prelude::*;
    use mend::db::schema::audit_events as a;
    app.sql(|c| a::table.count().get_result::<i64>(c).expect("count")).await
}

/// The subjects written for each event about `resource_id`: (action, outcome, subjects).
pub async fn subjects_of(app: &TestApp, resource_id: &str) -> Vec<(String, String, Vec<String>)> {
    use diesel::prelude::*;
    use mend::db::schema::{audit_events as a, audit_subjects as s};
    let rid = resource_id.to_string();
    app.sql(move |c| {
        let events: Vec<(String, String, String)> = a::table
            .filter(a::resource_id.eq(rid))
            .select((a::id, a::action, a::outcome))
            .order(a::id)
            .load(c)
            .expect("events");
        events
            .into_iter()
            .map(|(id, action, outcome)| {
                let mut subjects: Vec<String> =
                    s::table.filter(s::event_id.eq(id)).select(s::client_id).load(c).expect("subjects");
                subjects.sort();
                (action, outcome, subjects)
            })
            .collect()
    })
    .await
}

/// A v7-shaped id of `secs` seconds ago (as an event written then would have).
pub fn id_of_seconds_ago(secs: i64) -> String {
    let t = chrono::Utc::now() - chrono::Duration::seconds(secs);
    let ts = uuid::Timestamp::from_unix(uuid::NoContext, t.timestamp() as u64, t.timestamp_subsec_nanos());
    uuid::Uuid::new_v7(ts).to_string()
}

/// Inserts an event straight into the trail (an ordinary INSERT: the rule allows appends).
pub fn insert_event_sql(id: &str, practice_id: &str, secs_ago: i64, resource_id: &str) -> String {
    let at = (chrono::Utc::now() - chrono::Duration::seconds(secs_ago)).naive_utc();
    let at = mend::db::timestamp_text(at);
    format!(
        "INSERT INTO audit_events (id, practice_id, at, actor_id, actor_role, action, resource_type, resource_id, \
         outcome, request_id, ip) VALUES ('{id}', '{practice_id}', '{at}', NULL, 'admin', 'read', 'client', \
         '{resource_id}', 'success', 'forged', NULL)"
    )
}
