//! Rules of a client's and a couple's records that are not a checked value of their own (the
//! values are in `value.rs`: `Name`, `Phone`, `Email`, `PastDate`, `Concern`).

/// Counselors on one client or couple.
pub const COUNSELORS_MAX: usize = 20;
