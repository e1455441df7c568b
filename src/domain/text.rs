//! Checked text values.

use crate::problem::FieldError;

/// White space as JSON Schema's `\s` (ECMA-262) sees it: Unicode White_Space without U+0085,
/// plus the byte-order mark. Keeps "not blank" and the documented pattern `\S` identical.
pub fn is_schema_space(c: char) -> bool {
    (c.is_whitespace() && c != '\u{85}') || c == '\u{feff}'
}

/// Trimmed-length check for a required text field: 1..=max characters, not blank.
pub fn required(field: &str, value: &str, max: usize) -> Result<(), FieldError> {
    if value.chars().all(is_schema_space) {
        return Err(FieldError::new(field, "must not be blank"));
    }
    if value.chars().count() > max {
        return Err(FieldError::new(field, format!("must be at most {max} characters")));
    }
    Ok(())
}

/// An optional text field: at most `max` characters when present.
pub fn optional(field: &str, value: Option<&str>, max: usize) -> Result<(), FieldError> {
    match value {
        Some(v) if v.chars().count() > max => Err(FieldError::new(field, format!("must be at most {max} characters"))),
        _ => Ok(()),
    }
}

/// The JSON Schema pattern of an email, exactly what [`email`] accepts.
pub const EMAIL_PATTERN: &str = r"^[^@\s\x00-\x1f\x7f-\x9f]+@[^@\s.\x00-\x1f\x7f-\x9f][^@\s\x00-\x1f\x7f-\x9f]*\.[^@\s\x00-\x1f\x7f-\x9f]*[^@\s.\x00-\x1f\x7f-\x9f]$";

/// The JSON Schema pattern of required text: at least one character that is not white space.
pub const NOT_BLANK: &str = r"\S";

/// A login email (stored lower-cased): one `@`, a dot inside the domain, no white space or
/// control characters, at most 254 characters. Matches [`EMAIL_PATTERN`].
pub fn email(field: &str, value: &str) -> Result<String, FieldError> {
    // White space as JSON Schema's \s sees it (Unicode White_Space plus the BOM), and controls.
    let bad = |c: char| c == '@' || is_schema_space(c) || c.is_control();
    let ok = value.chars().count() <= 254
        && match value.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty() && !local.chars().any(bad) && !domain.chars().any(bad) && {
                    let d: Vec<char> = domain.chars().collect();
                    d.len() >= 3 && d[0] != '.' && d[d.len() - 1] != '.' && d[1..d.len() - 1].contains(&'.')
                }
            }
            None => false,
        };
    if ok {
        Ok(value.to_lowercase())
    } else {
        Err(FieldError::new(field, "must be an email address"))
    }
}

/// Passwords: 12..=256 characters.
pub fn password(field: &str, value: &str) -> Result<(), FieldError> {
    let n = value.chars().count();
    if !(12..=256).contains(&n) {
        return Err(FieldError::new(field, "must be 12 to 256 characters"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(email("e", "Ann@Example.org").unwrap(), "ann@example.org");
        assert!(email("e", "a@b.c").is_ok());
        for bad in [
            "",
            "a",
            "a@b",
            "@b.c",
            "a@@b.c",
            "a b@c.d",
            "a@.c",
            "a@c.",
            " a@b.co",
            "a@b.co ",
            "a\u{1}@b.co",
            "a@b.",
            "a@é.",
            "a@\u{feff}b.c",
        ] {
            assert!(email("e", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords() {
        assert!(password("p", "short").is_err());
        assert!(password("p", "twelve chars").is_ok());
        assert!(password("p", &"x".repeat(257)).is_err());
        assert!(password("p", &"é".repeat(12)).is_ok());
    }

    #[test]
    fn required_text() {
        assert!(required("t", "  ", 10).is_err());
        assert!(required("t", "ok", 10).is_ok());
        assert!(required("t", "\u{85}", 10).is_ok());
        assert!(required("t", "\u{feff}\u{3000}", 10).is_err());
        assert!(required("t", &"x".repeat(11), 10).is_err());
    }
}
