//! Request extractors that parse and check in one step: `ValidJson<T>` for bodies and
//! `ValidQuery<T>` for query strings.
//!
//! `T` is a request DTO: `#[derive(Deserialize, Validate, ToSchema)]` with
//! `#[serde(deny_unknown_fields)]`. A body that is not JSON of that shape is a 400 (the JSON and
//! query configs in `app.rs` render it); a value that breaks a rule is the one 422 that names
//! every bad field, in the order the DTO declares them. The handler then turns the DTO into
//! domain values with `TryFrom`, so the store only ever sees checked values.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use validator::{Validate, ValidationErrors, ValidationErrorsKind};

use crate::problem::{AppError, FieldError};

/// A JSON body that deserialized and passed its DTO's rules.
pub struct ValidJson<T>(pub T);

impl<T> ValidJson<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for ValidJson<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + Validate + 'static> FromRequest for ValidJson<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = web::Json::<T>::from_request(req, payload);
        Box::pin(async move {
            let value = body.await?.into_inner();
            checked::<T>(&value)?;
            Ok(ValidJson(value))
        })
    }
}

/// A query string that deserialized and passed its DTO's rules.
pub struct ValidQuery<T>(pub T);

impl<T> ValidQuery<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned + Validate + 'static> FromRequest for ValidQuery<T> {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let result = web::Query::<T>::from_request(req, payload).into_inner().and_then(|q| {
            let value = q.into_inner();
            checked(&value)?;
            Ok(ValidQuery(value))
        });
        std::future::ready(result)
    }
}

/// Runs `T`'s rules: one 422 naming every bad field, in the DTO's declaration order.
pub fn checked<T: Validate + DeserializeOwned>(value: &T) -> Result<(), AppError> {
    value.validate().map_err(|e| AppError::Validation(field_errors(&e, &declared_fields::<T>())))
}

/// The DTO's field names in declaration order, as serde's derive lists them (it hands them to
/// `deserialize_struct`; this deserializer only takes note of them).
fn declared_fields<T: DeserializeOwned>() -> Vec<String> {
    use serde::de::{Deserializer, Error, Visitor};

    #[derive(Debug)]
    struct Noted(Vec<String>);
    impl std::fmt::Display for Noted {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("fields noted")
        }
    }
    impl std::error::Error for Noted {}
    impl Error for Noted {
        fn custom<M: std::fmt::Display>(_: M) -> Self {
            Noted(Vec::new())
        }
    }
    struct Fields;
    impl<'de> Deserializer<'de> for Fields {
        type Error = Noted;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Noted> {
            Err(Noted(Vec::new()))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Noted> {
            Err(Noted(fields.iter().map(|f| f.to_string()).collect()))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
            unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
        }
    }
    match T::deserialize(Fields) {
        Err(Noted(fields)) => fields,
        Ok(_) => Vec::new(),
    }
}

/// Flattens validator's errors into problem fields (`a.b`, `items[2].c` for nested ones).
/// A struct-level rule names its field with the param `field`.
pub fn field_errors(errors: &ValidationErrors, order: &[String]) -> Vec<FieldError> {
    let mut out = Vec::new();
    flatten("", errors, &mut out);
    let rank = |f: &FieldError| {
        let head = f.field.split(['.', '[']).next().unwrap_or_default();
        order.iter().position(|n| n == head).unwrap_or(usize::MAX)
    };
    out.sort_by_key(rank);
    out
}

fn flatten(prefix: &str, errors: &ValidationErrors, out: &mut Vec<FieldError>) {
    for (name, kind) in errors.errors() {
        let path = |name: &str| if prefix.is_empty() { name.to_string() } else { format!("{prefix}.{name}") };
        match kind {
            ValidationErrorsKind::Field(list) => {
                for e in list {
                    let field = match (name.as_ref(), e.params.get("field").and_then(|v| v.as_str())) {
                        ("__all__", Some(field)) => path(field),
                        _ => path(name),
                    };
                    let message = e.message.as_deref().map(str::to_string).unwrap_or_else(|| default_message(e));
                    out.push(FieldError::new(field, message));
                }
            }
            ValidationErrorsKind::Struct(inner) => flatten(&path(name), inner, out),
            ValidationErrorsKind::List(items) => {
                for (i, inner) in items {
                    flatten(&format!("{}[{i}]", path(name)), inner, out);
                }
            }
        }
    }
}

/// Words for the built-in rules, when a DTO does not give its own message.
fn default_message(e: &validator::ValidationError) -> String {
    let param = |k: &str| e.params.get(k).map(|v| v.to_string());
    match e.code.as_ref() {
        "length" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => format!("must have {min} to {max} items"),
            (None, Some(max)) => format!("must have at most {max} items"),
            (Some(min), None) => format!("must have at least {min} items"),
            _ => "has the wrong length".into(),
        },
        "range" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => format!("must be from {min} to {max}"),
            _ => "is out of range".into(),
        },
        code => format!("is invalid ({code})"),
    }
}

// The rules' failures live in `domain` (its values state their rules); named here too, where
// request DTOs have always found them.
pub use crate::domain::rules::{field_rule, rule};

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Validate, serde::Deserialize)]
    #[allow(dead_code)]
    struct Dto {
        #[validate(length(max = 2))]
        zeta: Vec<u8>,
        #[validate(custom(function = "never"))]
        alpha: String,
    }

    fn never(_: &str) -> Result<(), validator::ValidationError> {
        Err(rule("is never right"))
    }

    #[test]
    fn errors_come_in_declaration_order_with_messages() {
        let dto = Dto { zeta: vec![1, 2, 3], alpha: "x".into() };
        let Err(AppError::Validation(errors)) = checked(&dto) else { panic!("expected a 422") };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["zeta", "alpha"]);
        assert_eq!(errors[1].message, "is never right");
        assert_eq!(errors[0].message, "must have at most 2 items");
    }
}
