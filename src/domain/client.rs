//! The rules for a client's demographic fields, and for the text of a couple.

use crate::problem::FieldError;

use super::text;

pub const NAME_MAX: usize = 100;
pub const PHONE_MAX: usize = 40;
pub const CONCERN_MAX: usize = 5000;
/// Counselors on one client or couple.
pub const COUNSELORS_MAX: usize = 20;

/// A first or last name: 1..=100 characters, not blank. Stored exactly as sent.
pub fn name(field: &str, value: &str) -> Result<(), FieldError> {
    text::required(field, value, NAME_MAX)
}

/// An optional text field, when present: not blank (send null to clear it), at most `max`.
pub fn optional(field: &str, value: Option<&str>, max: usize) -> Result<(), FieldError> {
    match value {
        None => Ok(()),
        Some(v) => text::required(field, v, max),
    }
}

/// An optional contact email, lower-cased like a login email (white space is refused, as the
/// documented pattern says) (it becomes the
/// client's login when they are invited to the portal).
pub fn email(field: &str, value: Option<&str>) -> Result<Option<String>, FieldError> {
    value.map(|v| text::email(field, v)).transpose()
}

/// A phone number: free text (extensions, country codes, spaces), at most 40 characters.
pub fn phone(field: &str, value: Option<&str>) -> Result<(), FieldError> {
    optional(field, value, PHONE_MAX)
}

/// A list of counselor ids: at most 20 items (as the schema's `maxItems` counts them), duplicates
/// removed, order kept.
pub fn counselor_ids(field: &str, ids: &[String]) -> Result<Vec<String>, FieldError> {
    if ids.len() > COUNSELORS_MAX {
        return Err(FieldError::new(field, format!("must hold at most {COUNSELORS_MAX} counselors")));
    }
    let mut unique: Vec<String> = Vec::with_capacity(ids.len());
    for id in ids {
        if !unique.contains(id) {
            unique.push(id.clone());
        }
    }
    Ok(unique)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields() {
        assert!(name("n", "Robert'); DROP TABLE clients;--").is_ok());
        assert!(name("n", "🦀").is_ok());
        assert!(name("n", " ").is_err());
        assert!(name("n", &"é".repeat(100)).is_ok());
        assert!(name("n", &"é".repeat(101)).is_err());
        assert!(optional("p", None, 10).is_ok());
        assert!(optional("p", Some(""), 10).is_err());
        assert_eq!(email("e", Some("A@B.co")).unwrap().as_deref(), Some("a@b.co"));
        assert!(email("e", Some(" a@b.co")).is_err());
        assert!(email("e", Some("nope")).is_err());
        assert!(phone("p", Some(&"1".repeat(41))).is_err());
        assert_eq!(counselor_ids("c", &["a".into(), "b".into(), "a".into()]).unwrap(), vec!["a", "b"]);
        let many: Vec<String> = (0..21).map(|i| i.to_string()).collect();
        assert!(counselor_ids("c", &many).is_err());
    }
}
