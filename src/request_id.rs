//! `X-Request-Id`: echoed from the request when it is sane, else generated; available to the
//! whole request (errors quote it, every log line of the request carries it).

use actix_web::HttpMessage;

pub const HEADER: &str = "x-request-id";

tokio::task_local! {
    static CURRENT: String;
}

/// The id of the request being handled on this task, if any.
pub fn current() -> Option<String> {
    CURRENT.try_with(|id| id.clone()).ok()
}

/// Runs `fut` with `id` as the current request id.
pub async fn scope<F: std::future::Future>(id: String, fut: F) -> F::Output {
    CURRENT.scope(id, fut).await
}

/// The request id of a request, as stored by the context middleware.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// Picks the id: the caller's when it is 1..=128 visible ASCII characters, else a new UUID.
pub fn choose(incoming: Option<&str>) -> String {
    match incoming {
        Some(v) if !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()) => v.to_string(),
        _ => uuid::Uuid::now_v7().to_string(),
    }
}

pub fn of(req: &impl HttpMessage) -> String {
    req.extensions().get::<RequestId>().map(|r| r.0.clone()).unwrap_or_default()
}
