//! Test helpers for this area.
