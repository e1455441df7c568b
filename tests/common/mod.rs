//! Test harness: the real HTTP app on a fresh database per test.
//!
//! SQLite by default (a temp file). Set `MEND_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432`
//! to run the same tests on PostgreSQL: each test gets its own database, dropped at the end.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::OnceLock;

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use mend::auth::tokens::TokenKeys;
use mend::config::Config;
use mend::db::{new_id, AnyConnection, Db};
use mend::domain::Role;
use mend::store::{practices, users};
use reqwest::Method;
use serde_json::{json, Value};

pub mod accounts;
pub mod between;
pub mod clinical;
pub mod measures;
pub mod pages;
pub mod seal;
pub mod trust;
pub mod webhooks;

pub const SECRET: &str = "test-secret-0123456789abcdef-0123456789";
/// The audit trail's signing key in tests (`MEND_AUDIT_KEY`: base64 of a 32-byte seed).
pub const AUDIT_KEY: &str = "dGVzdCBhdWRpdCBrZXkgc2VlZCAwMTIzNDU2Nzg5YWI=";
pub const PASSWORD: &str = "correct horse battery staple";

fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| mend::auth::password::hash_blocking(PASSWORD).expect("hash"))
}

pub fn pg_base() -> Option<String> {
    std::env::var("MEND_TEST_DATABASE_URL")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim_end_matches('/').to_string())
}

pub fn is_postgres() -> bool {
    pg_base().is_some()
}

/// A database for one test; removed when dropped.
pub struct TestDb {
    pub url: String,
    pg_name: Option<String>,
    dir: Option<std::path::PathBuf>,
}

impl TestDb {
    pub fn new() -> TestDb {
        match pg_base() {
            Some(base) => {
                let name = format!("mend_t_{}", uuid::Uuid::new_v4().simple());
                let mut admin = PgConnection::establish(&format!("{base}/postgres")).expect("connect to PostgreSQL");
                admin.batch_execute(&format!("CREATE DATABASE {name}")).expect("create test database");
                TestDb { url: format!("{base}/{name}"), pg_name: Some(name), dir: None }
            }
            None => {
                let dir = std::env::temp_dir().join(format!("mend-test-{}", uuid::Uuid::new_v4()));
                std::fs::create_dir_all(&dir).expect("temp dir");
                TestDb { url: format!("sqlite://{}/mend.db", dir.display()), pg_name: None, dir: Some(dir) }
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let (Some(name), Some(base)) = (&self.pg_name, pg_base()) {
            if let Ok(mut admin) = PgConnection::establish(&format!("{base}/postgres")) {
                let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

pub fn config(url: &str, extra: &[(&str, &str)]) -> Config {
    let mut vars: HashMap<String, String> = HashMap::new();
    vars.insert("DATABASE_URL".into(), url.into());
    vars.insert("MEND_JWT_SECRET".into(), SECRET.into());
    vars.insert("MEND_AUDIT_KEY".into(), AUDIT_KEY.into());
    vars.insert("MEND_LOGIN_LIMIT_PER_IP".into(), "0".into());
    vars.insert("MEND_DB_POOL_SIZE".into(), "3".into());
    for (k, v) in extra {
        vars.insert(k.to_string(), v.to_string());
    }
    Config::from_lookup(|k| vars.get(k).cloned()).expect("test config")
}

/// One running server.
pub struct Server {
    pub addr: String,
    handle: actix_web::dev::ServerHandle,
}

impl Server {
    pub fn start(config: Config) -> (Server, Db) {
        let db = mend::cli::open_db(&config).expect("open db");
        let state = mend::cli::state(config, db.clone()).expect("state");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = format!("http://{}", listener.local_addr().expect("addr"));
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = mend::app::serve(listener, state, Some(1)).expect("serve");
                let _ = tx.send(server.handle());
                let _ = server.await;
            })
        });
        let handle = rx.recv().expect("server handle");
        (Server { addr, handle }, db)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // The stop command is sent on call; its completion need not be awaited.
        drop(self.handle.stop(false));
    }
}

/// A signed-in user, as tests see them.
#[derive(Clone, Debug)]
pub struct User {
    pub id: String,
    pub email: String,
    pub role: Role,
    pub practice_id: String,
    pub client_id: Option<String>,
    pub token: String,
    /// The login `token` belongs to (its refresh-token family).
    pub family: String,
}

#[derive(Clone, Debug)]
pub struct Practice {
    pub id: String,
    pub admin: User,
}

/// A response, read whole.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(String::from)
    }
    /// Asserts the status, showing the body when it differs.
    #[track_caller]
    pub fn expect(self, status: u16) -> Resp {
        assert_eq!(self.status, status, "unexpected status; body: {}", self.text);
        self
    }
    #[track_caller]
    pub fn problem(self, status: u16) -> Value {
        let resp = self.expect(status);
        assert_eq!(resp.header("content-type").as_deref(), Some("application/problem+json"), "{}", resp.text);
        let body = resp.json();
        assert_eq!(body["status"], json!(status));
        assert!(body["title"].is_string() && body["detail"].is_string() && body["type"].is_string());
        body
    }
}

pub struct TestApp {
    pub server: Server,
    pub db: Db,
    pub keys: TokenKeys,
    pub http: reqwest::Client,
    pub config_url: String,
    pub test_db: TestDb,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(&[]).await
    }

    pub async fn spawn_with(extra: &[(&str, &str)]) -> TestApp {
        let test_db = TestDb::new();
        let cfg = config(&test_db.url, extra);
        let keys = TokenKeys::new(&cfg.jwt_secret);
        let url = test_db.url.clone();
        let (server, db) = tokio::task::spawn_blocking(move || Server::start(cfg)).await.expect("start");
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        TestApp { server, db, keys, http, config_url: url, test_db }
    }

    /// Another instance on the same database (as behind a load balancer).
    pub async fn second_instance(&self, extra: &[(&str, &str)]) -> Server {
        let cfg = config(&self.config_url, extra);
        tokio::task::spawn_blocking(move || Server::start(cfg).0).await.expect("start")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.server.addr, path)
    }

    /// Runs `f` on a connection of the test's database.
    pub async fn sql<T: Send + 'static>(&self, f: impl FnOnce(&mut AnyConnection) -> T + Send + 'static) -> T {
        self.db.run(move |c| Ok(f(c))).await.expect("db")
    }

    /// An access token of a login that was never made (no refresh token of its family): the
    /// server refuses it (401) even when its user is live.
    pub fn token(&self, id: &str, role: Role, practice_id: &str) -> String {
        self.keys.issue_access(id, role, practice_id, None, &new_id()).expect("token").0
    }

    /// A login of the user, as `POST /auth/login` makes it: a refresh token of a new family.
    /// Returns the family.
    pub async fn login_family(&self, user_id: &str, practice_id: &str) -> String {
        let family = new_id();
        let (u, p, f) = (user_id.to_string(), practice_id.to_string(), family.clone());
        self.sql(move |c| {
            mend::store::auth::insert_refresh(c, &p, &u, &f, &format!("test-refresh-{f}")).expect("login")
        })
        .await;
        family
    }

    /// An access token of a new login of a staff user, and its login.
    pub async fn staff_token(&self, id: &str, role: Role, practice_id: &str) -> (String, String) {
        let family = self.login_family(id, practice_id).await;
        (self.keys.issue_access(id, role, practice_id, None, &family).expect("token").0, family)
    }

    /// A portal token, as a login of that client's portal account issues it, and its login.
    pub async fn client_token(&self, id: &str, practice_id: &str, client_id: &str) -> (String, String) {
        let family = self.login_family(id, practice_id).await;
        (self.keys.issue_access(id, Role::Client, practice_id, Some(client_id), &family).expect("token").0, family)
    }

    /// A new practice with its first admin.
    pub async fn practice(&self) -> Practice {
        let id = new_id();
        let pid = id.clone();
        self.sql(move |c| practices::create(c, &pid, "Practice", "UTC").expect("practice")).await;
        let admin = self.user_in(&id, Role::Admin).await;
        Practice { id, admin }
    }

    /// A staff user with the test password.
    pub async fn user_in(&self, practice_id: &str, role: Role) -> User {
        let id = new_id();
        let email = format!("{}@example.org", &id);
        let (i, e, p) = (id.clone(), email.clone(), practice_id.to_string());
        self.sql(move |c| {
            users::create(
                c,
                &users::NewUser {
                    id: &i,
                    practice_id: &p,
                    email: &e,
                    display_name: "Test User",
                    role,
                    password_hash: Some(password_hash()),
                    client_id: None,
                },
            )
            .expect("user")
        })
        .await;
        let (token, family) = self.staff_token(&id, role, practice_id).await;
        User { id, email, role, practice_id: practice_id.into(), client_id: None, token, family }
    }

    pub async fn counselor(&self, p: &Practice) -> User {
        self.user_in(&p.id, Role::Counselor).await
    }

    pub fn req(&self, method: Method, path: &str) -> Req<'_> {
        Req { app: self, builder: self.http.request(method, self.url(path)) }
    }

    pub async fn get(&self, path: &str, user: Option<&User>) -> Resp {
        self.req(Method::GET, path).auth(user).send().await
    }

    pub async fn post(&self, path: &str, user: Option<&User>, body: Value) -> Resp {
        self.req(Method::POST, path).auth(user).json(&body).send().await
    }

    pub async fn patch(&self, path: &str, user: Option<&User>, body: Value) -> Resp {
        self.req(Method::PATCH, path).auth(user).json(&body).send().await
    }

    pub async fn put(&self, path: &str, user: Option<&User>, body: Value) -> Resp {
        self.req(Method::PUT, path).auth(user).json(&body).send().await
    }

    /// Signs in through the API; returns the token pair.
    pub async fn login(&self, email: &str, password: &str) -> Resp {
        self.post("/api/v1/auth/login", None, json!({"email": email, "password": password})).await
    }

    /// Audit events matching `filter`, read straight from the database.
    pub async fn audit_rows(&self, resource_id: &str) -> Vec<(String, String, String)> {
        use diesel::prelude::*;
        use mend::db::schema::audit_events as a;
        let rid = resource_id.to_string();
        self.sql(move |c| {
            a::table
                .filter(a::resource_id.eq(rid))
                .select((a::action, a::outcome, a::actor_id.assume_not_null()))
                .order(a::id.asc())
                .load::<(String, String, String)>(c)
                .expect("audit")
        })
        .await
    }
}

pub struct Req<'a> {
    app: &'a TestApp,
    builder: reqwest::RequestBuilder,
}

impl Req<'_> {
    pub fn auth(mut self, user: Option<&User>) -> Self {
        if let Some(u) = user {
            self.builder = self.builder.bearer_auth(&u.token);
        }
        self
    }
    pub fn bearer(mut self, token: &str) -> Self {
        self.builder = self.builder.bearer_auth(token);
        self
    }
    pub fn header(mut self, k: &str, v: &str) -> Self {
        self.builder = self.builder.header(k, v);
        self
    }
    pub fn json(mut self, body: &Value) -> Self {
        self.builder = self.builder.json(body);
        self
    }
    pub fn body(mut self, content_type: &str, body: impl Into<reqwest::Body>) -> Self {
        self.builder = self.builder.header("content-type", content_type).body(body);
        self
    }
    pub async fn send(self) -> Resp {
        let _ = self.app;
        let r = self.builder.send().await.expect("request");
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap_or_default();
        Resp { status, headers, text }
    }
}

/// A couple made through the store (tests of other resources build on it).
#[derive(Clone, Debug)]
pub struct Couple {
    pub id: String,
    pub partners: [String; 2],
}

impl TestApp {
    /// A client of practice `p`, assigned to `counselor` when given.
    pub async fn client(&self, p: &Practice, counselor: Option<&User>) -> String {
        use mend::domain::ids::{ClientId, PracticeId, UserId};
        use mend::domain::value::{Email, Name};
        use mend::domain::ClientStatus;
        use mend::store::clients;
        let id = new_id();
        let (pid, cid, counselor_id) = (p.id.clone(), id.clone(), counselor.map(|c| c.id.clone()));
        self.sql(move |c| {
            let at = mend::db::now();
            let (pid, counselor_id) =
                (pid.parse::<PracticeId>().expect("id"), counselor_id.map(|u| u.parse::<UserId>().expect("id")));
            let client_id: ClientId = cid.parse().expect("id");
            clients::create(
                c,
                &clients::NewClient {
                    id: client_id.clone(),
                    practice_id: pid.clone(),
                    first_name: Name::parse("Alex").expect("name"),
                    last_name: Name::parse(format!("Client {}", &cid[cid.len() - 6..])).expect("name"),
                    preferred_name: None,
                    pronouns: None,
                    date_of_birth: None,
                    email: Some(Email::parse(&format!("{cid}@client.example.org")).expect("email")),
                    phone: None,
                    status: ClientStatus::Active,
                    version: 1,
                    created_at: at,
                    updated_at: at,
                },
            )
            .expect("client");
            if let Some(counselor_id) = counselor_id {
                clients::assign(c, &pid, &client_id, &counselor_id).expect("assign");
            }
        })
        .await;
        id
    }

    /// A couple of two new clients, assigned (as a couple) to `counselor`.
    pub async fn couple(&self, p: &Practice, counselor: &User) -> Couple {
        use mend::store::couples;
        let a = self.client(p, None).await;
        let b = self.client(p, None).await;
        let id = new_id();
        let (pid, kid, partners, cid) = (p.id.clone(), id.clone(), [a.clone(), b.clone()], counselor.id.clone());
        self.sql(move |c| {
            let at = mend::db::now();
            let (pid, kid, cid) = (pid.parse().expect("id"), kid.parse().expect("id"), cid.parse().expect("id"));
            let partners = partners.map(|p| p.parse().expect("id"));
            let row = couples::NewCouple {
                id: kid,
                practice_id: pid,
                status: mend::domain::CoupleStatus::Active,
                presenting_concern: None,
                relationship_started_on: None,
                version: 1,
                created_at: at,
                updated_at: at,
            };
            couples::create(c, &row, &partners).expect("couple");
            couples::assign(c, &row.practice_id, &row.id, &cid).expect("assign");
        })
        .await;
        Couple { id, partners: [a, b] }
    }

    /// A portal account for a client, signed in.
    pub async fn portal_user(&self, p: &Practice, client_id: &str) -> User {
        let id = new_id();
        let email = format!("portal-{id}@example.org");
        let (i, e, pid, cid) = (id.clone(), email.clone(), p.id.clone(), client_id.to_string());
        self.sql(move |c| {
            users::create(
                c,
                &users::NewUser {
                    id: &i,
                    practice_id: &pid,
                    email: &e,
                    display_name: "Portal User",
                    role: Role::Client,
                    password_hash: Some(password_hash()),
                    client_id: Some(&cid),
                },
            )
            .expect("portal user")
        })
        .await;
        let (token, family) = self.client_token(&id, &p.id, client_id).await;
        User {
            id,
            email,
            role: Role::Client,
            practice_id: p.id.clone(),
            client_id: Some(client_id.into()),
            token,
            family,
        }
    }
}
