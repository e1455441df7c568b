//! A rule's failure as `validator` reports it, for the `check` functions of domain values and
//! the `custom` validators of request DTOs.

/// A rule's failure, for `custom` validators: `rule("must not be blank")`.
pub fn rule(message: impl Into<std::borrow::Cow<'static, str>>) -> validator::ValidationError {
    validator::ValidationError::new("rule").with_message(message.into())
}

/// A struct-level rule's failure that belongs to one field.
pub fn field_rule(
    field: &'static str,
    message: impl Into<std::borrow::Cow<'static, str>>,
) -> validator::ValidationError {
    let mut e = rule(message);
    e.add_param("field".into(), &field);
    e
}
