//! Mend: a case-management API for counselors who help couples repair trust.
//!
//! `main.rs` is the command line; everything else lives here so tests can build the real app.
//!
//! Imports run one way, lowest first: `problem` ← `domain` ← `config`/`db`/`pagination` ←
//! `store` ← `auth`/`state` ← `audit`/`seal` ← `webhooks`/`mail` ← `views`/`fhir` ← `api` ← `middleware` ←
//! `routes`/`openapi` ← `denials`/`idempotency` ← `app` ← `cli` (README, "Layout";
//! `tests/layers.rs` holds the code to it).

pub mod api;
pub mod app;
pub mod audit;
pub mod audit_batch;
pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod denials;
pub mod domain;
pub mod extract;
pub mod fhir;
pub mod http;
pub mod idempotency;
pub mod mail;
pub mod middleware;
pub mod openapi;
pub mod pagination;
pub mod problem;
pub mod request_id;
pub mod routes;
pub mod seal;
pub mod state;
pub mod store;
pub mod views;
pub mod webhooks;
