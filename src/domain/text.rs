//! Checked text values.

use crate::problem::FieldError;

/// Trimmed-length check for a required text field: 1..=max characters, not blank.
pub fn required(field: &str, value: &str, max: usize) -> Result<(), FieldError> {
    if value.trim().is_empty() {
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

/// A login email: lower-cased, one `@`, a dot in the domain, no spaces, at most 254 characters.
pub fn email(field: &str, value: &str) -> Result<String, FieldError> {
    let v = value.trim().to_lowercase();
    let ok = v.len() <= 254
        && !v.chars().any(|c| c.is_whitespace() || c.is_control())
        && match v.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }
            None => false,
        };
    if ok {
        Ok(v)
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

/// Collects field errors into one 422.
pub fn collect(results: impl IntoIterator<Item = Result<(), FieldError>>) -> Result<(), crate::problem::AppError> {
    let errors: Vec<FieldError> = results.into_iter().filter_map(Result::err).collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(crate::problem::AppError::Validation(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(email("e", " Ann@Example.org ").unwrap(), "ann@example.org");
        for bad in ["", "a", "a@b", "@b.c", "a@@b.c", "a b@c.d", "a@.c", "a@c."] {
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
        assert!(required("t", &"x".repeat(11), 10).is_err());
    }
}
