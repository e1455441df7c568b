//! Group commit of audit events (`audit_batch` over `db::group`): every answered read has its committed event,
//! a failed batch writes nothing, and each event's live-user check holds inside a batch.

mod common;

use common::*;
use mend::audit::{Action, Outcome};
use mend::audit_batch::{write_batch, Event};
use mend::auth::actor::{Actor, RequestMeta};
use mend::domain::ResourceKind;
use reqwest::Method;

/// Events with this request id, as (action, outcome).
async fn events_of(app: &TestApp, request_id: &str) -> Vec<(String, String)> {
    use diesel::prelude::*;
    use mend::db::schema::audit_events as a;
    let rid = request_id.to_string();
    app.sql(move |c| {
        a::table
            .filter(a::request_id.eq(rid))
            .select((a::action, a::outcome))
            .load::<(String, String)>(c)
            .expect("events")
    })
    .await
}

async fn count_events(app: &TestApp) -> i64 {
    use diesel::prelude::*;
    use mend::db::schema::audit_events as a;
    app.sql(|c| a::table.count().get_result::<i64>(c).expect("count")).await
}

/// Writes `events` as one batch on a connection of the app, as the writer does.
async fn write(app: &TestApp, events: impl IntoIterator<Item = Event>) -> Result<Vec<bool>, mend::problem::AppError> {
    let events: Vec<Event> = events.into_iter().collect();
    app.db
        .run(move |c| {
            let refs: Vec<&Event> = events.iter().collect();
            Ok(write_batch(c, &refs))
        })
        .await
        .expect("db")
}

fn actor_of(user: &User, request_id: &str) -> Actor {
    Actor {
        user_id: user.id.parse().expect("id"),
        practice_id: user.practice_id.parse().expect("id"),
        role: user.role,
        client_id: user.client_id.as_ref().map(|c| c.parse().expect("id")),
        family_id: user.family.clone(),
        meta: RequestMeta { request_id: request_id.to_string(), ip: None },
    }
}

fn event(actor: &Actor, resource_id: &str) -> Event {
    Event {
        ctx: actor.audit_context(),
        live: actor.live(),
        action: Action::Read,
        kind: ResourceKind::Client,
        resource_id: Some(resource_id.to_string()),
        outcome: Outcome::Success,
    }
}

#[tokio::test]
async fn concurrent_reads_are_answered_only_after_their_event_is_committed() {
    let app = std::sync::Arc::new(TestApp::spawn().await);
    let p = app.practice().await;
    let counselor = app.counselor(&p).await;
    let client = app.client(&p, Some(&counselor)).await;
    let mut tasks = Vec::new();
    for i in 0..48 {
        let (app, counselor, client) = (app.clone(), counselor.clone(), client.clone());
        tasks.push(tokio::spawn(async move {
            let rid = format!("batch-read-{i}");
            let path = format!("/api/v1/clients/{client}");
            app.req(Method::GET, &path).auth(Some(&counselor)).header("x-request-id", &rid).send().await.expect(200);
            // The answer came after the commit: the event is there the moment the 200 is.
            assert_eq!(events_of(&app, &rid).await, vec![("read".to_string(), "success".to_string())], "{rid}");
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
}

#[tokio::test]
async fn a_batch_that_fails_midway_writes_none_of_its_events() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let counselor = app.counselor(&p).await;
    let good = actor_of(&counselor, "batch-good");
    // An event whose practice does not exist breaks the batch's foreign key in the middle.
    let mut bad = event(&good, "x");
    bad.ctx.practice_id = Some(mend::db::new_id());
    let events = [event(&good, "a"), bad, event(&good, "b")];
    let before = count_events(&app).await;
    let result = write(&app, events).await;
    assert!(result.is_err(), "the batch must fail as a whole");
    assert_eq!(count_events(&app).await, before, "a failed batch leaves no event behind");

    // Through the writer, the same failure answers every request in the batch with an error.
    let mut bad = event(&good, "y");
    bad.ctx.practice_id = Some(mend::db::new_id());
    assert!(mend::audit_batch::record(&app.db, bad).await.is_err());
    assert!(mend::audit_batch::record(&app.db, event(&good, "z")).await.expect("written"), "the writer recovers");
}

#[tokio::test]
async fn each_event_of_a_batch_keeps_its_own_live_user_check() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let live = app.counselor(&p).await;
    let gone = app.counselor(&p).await;
    let gone_id = gone.id.clone();
    app.sql(move |c| {
        use diesel::prelude::*;
        use mend::db::schema::users as u;
        diesel::update(u::table.filter(u::id.eq(gone_id))).set(u::active.eq(false)).execute(c).expect("deactivate")
    })
    .await;
    let (a, b) = (actor_of(&live, "batch-live"), actor_of(&gone, "batch-gone"));
    let events = [event(&a, "1"), event(&b, "2"), event(&a, "3")];
    let written = write(&app, events).await.expect("batch");
    assert_eq!(written, vec![true, false, true]);
    assert_eq!(events_of(&app, "batch-live").await.len(), 2);
    assert!(events_of(&app, "batch-gone").await.is_empty());
}

#[tokio::test]
async fn a_full_batch_of_mixed_callers_keeps_each_callers_own_check() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let counselor = app.counselor(&p).await;
    let client = app.client(&p, Some(&counselor)).await;
    let portal = app.portal_user(&p, &client).await;
    let (staff, own) = (actor_of(&counselor, "full-staff"), actor_of(&portal, "full-client"));
    // A portal token naming another client record, and one naming none: neither is live.
    let mut other = actor_of(&portal, "full-other");
    other.client_id = Some(mend::db::new_id().parse().expect("id"));
    let mut none = actor_of(&portal, "full-none");
    none.client_id = None;
    let callers = [&staff, &own, &other, &none];
    let events: Vec<Event> = (0..mend::db::group::MAX_BATCH).map(|i| event(callers[i % 4], &i.to_string())).collect();
    let written = write(&app, events).await.expect("batch");
    let expected: Vec<bool> = (0..mend::db::group::MAX_BATCH).map(|i| i % 4 < 2).collect();
    assert_eq!(written, expected);
    let quarter = mend::db::group::MAX_BATCH / 4;
    assert_eq!(events_of(&app, "full-staff").await.len(), quarter);
    assert_eq!(events_of(&app, "full-client").await.len(), quarter);
    assert!(events_of(&app, "full-other").await.is_empty());
    assert!(events_of(&app, "full-none").await.is_empty());
}

/// The batch statement states the live-user rule over rows (`audit_batch::STATEMENT`), beside its
/// query form (`auth::actor::live_user`, used by `check_live`): both give the same answer for
/// every kind of token, live or not.
#[tokio::test]
async fn the_batch_and_check_live_agree_on_who_is_live() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let counselor = app.counselor(&p).await;
    let gone = app.counselor(&p).await;
    let client = app.client(&p, Some(&counselor)).await;
    let portal = app.portal_user(&p, &client).await;
    let gone_id = gone.id.clone();
    app.sql(move |c| {
        use diesel::prelude::*;
        use mend::db::schema::users as u;
        diesel::update(u::table.filter(u::id.eq(gone_id))).set(u::active.eq(false)).execute(c).expect("deactivate")
    })
    .await;
    let other = app.practice().await;
    let mut cases: Vec<(&str, Actor, bool)> = vec![
        ("live counselor", actor_of(&counselor, "agree-1"), true),
        ("admin", actor_of(&p.admin, "agree-2"), true),
        ("portal client", actor_of(&portal, "agree-3"), true),
        ("deactivated", actor_of(&gone, "agree-4"), false),
    ];
    let mut a = actor_of(&counselor, "agree-5");
    a.role = mend::domain::Role::Admin;
    cases.push(("role changed", a, false));
    let mut a = actor_of(&counselor, "agree-6");
    a.practice_id = other.id.parse().expect("id");
    cases.push(("other practice", a, false));
    let mut a = actor_of(&counselor, "agree-7");
    a.user_id = mend::db::new_id().parse().expect("id");
    cases.push(("no such user", a, false));
    let mut a = actor_of(&portal, "agree-8");
    a.client_id = Some(mend::db::new_id().parse().expect("id"));
    cases.push(("portal, other client record", a, false));
    let mut a = actor_of(&portal, "agree-9");
    a.client_id = None;
    cases.push(("portal, no client record", a, false));
    let mut a = actor_of(&counselor, "agree-11");
    a.family_id = mend::db::new_id();
    cases.push(("a login that was never made", a, false));
    let mut a = actor_of(&counselor, "agree-12");
    a.family_id = portal.family.clone();
    cases.push(("another user's login", a, false));
    let ended = app.counselor(&p).await;
    let family = ended.family.clone();
    app.sql(move |c| mend::store::auth::revoke_family(c, &family).expect("revoke")).await;
    cases.push(("an ended login", actor_of(&ended, "agree-13"), false));
    let mut a = actor_of(&counselor, "agree-10");
    a.client_id = Some(client.parse().expect("id"));
    cases.push(("staff with a client id", a, true));
    for (name, actor, live) in cases {
        let (e, check) = (event(&actor, name), actor.live());
        // The event names the token's practice; for "other practice" that practice is real.
        let (checked, written) = app
            .db
            .run(move |c| {
                let checked = mend::auth::actor::check_live(c, &check).is_ok();
                Ok((checked, write_batch(c, &[&e])))
            })
            .await
            .expect("db");
        assert_eq!(checked, live, "check_live: {name}");
        assert_eq!(written.expect("batch"), vec![live], "batch: {name}");
    }
}
