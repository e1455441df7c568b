//! PATCH bodies: telling "absent" from "null".
//!
//! A field typed `Option<Option<T>>` with `#[serde(default, deserialize_with = "patch::nullable")]`
//! is `None` when the field is absent (leave it), `Some(None)` when it is `null` (clear it) and
//! `Some(Some(v))` when it carries a value.

use serde::{Deserialize, Deserializer};

use crate::problem::FieldError;

pub fn nullable<'de, T, D>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}

/// For a field that may be changed but never cleared: `null` is a 422.
pub fn not_null<T>(field: &str, value: Option<Option<T>>) -> Result<Option<T>, FieldError> {
    match value {
        None => Ok(None),
        Some(Some(v)) => Ok(Some(v)),
        Some(None) => Err(FieldError::new(field, "must not be null")),
    }
}
