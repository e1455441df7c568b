//! Test helpers for webhooks: a receiver on 127.0.0.1 in the test process, and a worker.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mend::webhooks::worker::{Settings, Worker};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::*;

/// One request the receiver got.
#[derive(Clone, Debug)]
pub struct Received {
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: String,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map(String::as_str).unwrap_or("")
    }
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }
}

/// A tiny HTTP/1.1 receiver on loopback. It answers each request with the next scripted
/// status (200 once the script is empty), after a set delay, and closes the connection. It
/// counts how many requests it held at once.
#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    got: Arc<Mutex<Vec<Received>>>,
    script: Arc<Mutex<VecDeque<u16>>>,
    delay_ms: Arc<AtomicU64>,
    open: Arc<AtomicUsize>,
    most_open: Arc<AtomicUsize>,
}

impl Receiver {
    pub async fn start() -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the receiver");
        let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
        let r = Receiver {
            url,
            got: Arc::default(),
            script: Arc::default(),
            delay_ms: Arc::default(),
            open: Arc::default(),
            most_open: Arc::default(),
        };
        let me = r.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let me = me.clone();
                tokio::spawn(async move {
                    let Some(req) = read_request(&mut socket).await else { return };
                    let open = me.open.fetch_add(1, Ordering::SeqCst) + 1;
                    me.most_open.fetch_max(open, Ordering::SeqCst);
                    let status = me.script.lock().unwrap().pop_front().unwrap_or(200);
                    me.got.lock().unwrap().push(req);
                    let delay = me.delay_ms.load(Ordering::SeqCst);
                    if delay > 0 {
                        tokio::time::sleep(Duration::from_millis(delay)).await;
                    }
                    me.open.fetch_sub(1, Ordering::SeqCst);
                    let resp = format!("HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
                    let _ = socket.write_all(resp.as_bytes()).await;
                    let _ = socket.shutdown().await;
                });
            }
        });
        r
    }

    /// The statuses of the next answers, in order.
    pub fn answer(&self, statuses: &[u16]) {
        self.script.lock().unwrap().extend(statuses);
    }

    /// Answers each request after `ms` milliseconds from now on.
    pub fn delay(&self, ms: u64) {
        self.delay_ms.store(ms, Ordering::SeqCst);
    }

    /// Requests being answered right now.
    pub fn open(&self) -> usize {
        self.open.load(Ordering::SeqCst)
    }

    /// The most requests it held at once.
    pub fn most_open(&self) -> usize {
        self.most_open.load(Ordering::SeqCst)
    }

    pub fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// Waits (at most `secs`) until at least `n` requests arrived.
    pub async fn wait_for(&self, n: usize, secs: u64) -> Vec<Received> {
        let deadline = std::time::Instant::now() + Duration::from_secs(secs);
        while self.received().len() < n && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.received()
    }
}

async fn read_request(socket: &mut tokio::net::TcpStream) -> Option<Received> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let path = lines.next()?.split(' ').nth(1)?.to_string();
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let len: usize = headers.get("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < len {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Received { path, headers, body: String::from_utf8_lossy(&body).to_string() })
}

/// The settings of tests: insecure URLs (the receiver is http on loopback), fast retries.
pub const INSECURE: &[(&str, &str)] = &[("MEND_WEBHOOK_ALLOW_INSECURE", "1"), ("MEND_WEBHOOK_RETRY_BASE_MS", "200")];

/// A delivery worker on the app's database.
pub fn worker(app: &TestApp) -> Worker {
    Worker::start(app.db.clone(), Settings { allow_insecure: true, retry_ms: Some(200) }).expect("worker")
}

/// Registers a webhook for `types` at `url`; returns (id, secret).
pub async fn register(app: &TestApp, admin: &User, url: &str, types: &[&str]) -> (String, String) {
    let body =
        app.post("/api/v1/webhooks", Some(admin), json!({"url": url, "event_types": types})).await.expect(201).json();
    (body["id"].as_str().expect("id").to_string(), body["secret"].as_str().expect("secret").to_string())
}

/// The webhook's delivery log, newest first.
pub async fn deliveries(app: &TestApp, admin: &User, webhook_id: &str) -> Vec<Value> {
    let body = app.get(&format!("/api/v1/webhooks/{webhook_id}/deliveries"), Some(admin)).await.expect(200).json();
    body["items"].as_array().expect("items").clone()
}

/// Waits until the webhook's log satisfies `done`.
pub async fn wait_log(app: &TestApp, admin: &User, id: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let log = deliveries(app, admin, id).await;
        if done(&log) || std::time::Instant::now() > deadline {
            return log;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Rows of the outbox of a practice: (event type, payload).
pub async fn outbox(app: &TestApp, practice_id: &str) -> Vec<(String, String)> {
    use diesel::prelude::*;
    use mend::db::schema::webhook_events as e;
    let pid = practice_id.to_string();
    app.sql(move |c| {
        e::table
            .filter(e::practice_id.eq(pid))
            .select((e::event_type, e::payload))
            .order(e::id)
            .load(c)
            .expect("outbox")
    })
    .await
}
