//! Typed ids: a `ClientId` cannot be passed where a `CoupleId` is expected.
//!
//! Each id is a UUID kept as its canonical lower-case text (the stores keep ids as `TEXT`). It
//! deserializes only from a UUID (a path or body with anything else is refused before a handler
//! runs), reads and writes itself through diesel as `Text`, and documents itself once as
//! `string`/`uuid`. New ids are UUID v7, so indexes stay ordered.

/// Declares typed ids. `Deref<Target = str>` lets an id go where text is read (a comparison, a
/// log field); constructing one always goes through a UUID.
#[macro_export]
macro_rules! typed_ids {
    ($($(#[$meta:meta])* $name:ident;)*) => {$(
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize,
            diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
        #[diesel(sql_type = diesel::sql_types::Text)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// A new, time-ordered id (UUID v7).
            pub fn new() -> Self {
                $name(uuid::Uuid::now_v7().to_string())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }

            /// Trusts that `text` is an id read from the database (rows hold canonical UUIDs).
            pub fn from_db(text: String) -> Self {
                $name(text)
            }

            /// The ids of a database list `a,b` (a `string_agg` subselect, in no order; NULL
            /// when empty), sorted.
            pub fn split_db(list: Option<String>) -> Vec<Self> {
                let mut ids: Vec<Self> =
                    list.unwrap_or_default().split(',').filter(|id| !id.is_empty()).map(|id| $name(id.to_string())).collect();
                ids.sort();
                ids
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl From<uuid::Uuid> for $name {
            fn from(id: uuid::Uuid) -> Self {
                $name(id.as_hyphenated().to_string())
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                uuid::Uuid::parse_str(s).map(Self::from)
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl PartialEq<$name> for String {
            fn eq(&self, other: &$name) -> bool {
                self == &other.0
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(de)?;
                text.parse().map_err(|_| serde::de::Error::custom("expected a UUID"))
            }
        }

        impl<DB> diesel::serialize::ToSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut diesel::serialize::Output<'b, '_, DB>) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, DB>>::to_sql(self.0.as_str(), out)
            }
        }

        impl<DB> diesel::deserialize::FromSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                <String as diesel::deserialize::FromSql<diesel::sql_types::Text, DB>>::from_sql(bytes).map($name)
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                $crate::domain::ids::uuid_schema()
            }
        }

        impl utoipa::ToSchema for $name {}
    )*};
}

/// `{"type": "string", "format": "uuid"}`.
pub fn uuid_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
    ObjectBuilder::new().schema_type(Type::String).format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid))).into()
}

typed_ids! {
    /// A practice: the tenant every record belongs to.
    PracticeId;
    /// A user account (staff or a client's portal login).
    UserId;
    /// A client: a person counselled.
    ClientId;
    /// A couple: two clients seen together.
    CoupleId;
    /// A therapy session.
    SessionId;
    /// A mediation note.
    NoteId;
    /// An addendum to a signed note.
    AddendumId;
    /// A boundary the partners agree to.
    BoundaryId;
    /// A check-in on a boundary.
    CheckInId;
    /// A milestone of a trust-repair plan.
    MilestoneId;
    /// An event of the audit trail.
    AuditEventId;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_canonical_uuids() {
        let id: ClientId = "67E55044-10B1-426F-9247-BB680E5FE0C8".parse().unwrap();
        assert_eq!(id.as_str(), "67e55044-10b1-426f-9247-bb680e5fe0c8");
        assert!("not-a-uuid".parse::<ClientId>().is_err());
        assert!(serde_json::from_str::<CoupleId>("\"x\"").is_err());
        let back: CoupleId = serde_json::from_str("\"67e55044-10b1-426f-9247-bb680e5fe0c8\"").unwrap();
        assert_eq!(serde_json::to_string(&back).unwrap(), "\"67e55044-10b1-426f-9247-bb680e5fe0c8\"");
        assert_ne!(SessionId::new(), SessionId::new());
    }
}
