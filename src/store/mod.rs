//! Queries, one module per resource. Every query that reads personal or clinical data is scoped
//! by practice (and by caseload where the API says so): there is no unscoped find by id.

pub mod audit;
pub mod auth;
pub mod idempotency;
pub mod practices;
pub mod users;
