//! Schema helpers for views whose wire shape utoipa cannot derive as clients need it.

use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::Ref;

/// The schema of one variant of a serde internally tagged enum (`#[serde(tag = ...)]`), as a
/// plain object: the variant's own object schema with the tag as one more required property.
/// (utoipa writes such enums as `oneOf` of inline `allOf`s, which openapi-python-client cannot
/// read; a `oneOf` of named objects it can.)
pub fn with_tag(
    schema: utoipa::openapi::RefOr<utoipa::openapi::Schema>,
    tag: &str,
    value: &str,
) -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    use utoipa::openapi::{RefOr, Schema};
    let RefOr::T(Schema::Object(mut object)) = schema else { return schema };
    let tag_schema = ObjectBuilder::new().schema_type(Type::String).enum_values(Some([value])).build();
    object.properties.insert(tag.to_string(), RefOr::T(Schema::Object(tag_schema)));
    if !object.required.iter().any(|r| r == tag) {
        object.required.push(tag.to_string());
    }
    RefOr::T(Schema::Object(object))
}

/// `oneOf` the named components.
pub fn one_of_refs(names: &[&str], description: &str) -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    let mut b = utoipa::openapi::schema::OneOfBuilder::new().description(Some(description));
    for name in names {
        b = b.item(Ref::from_schema_name(*name));
    }
    b.into()
}
