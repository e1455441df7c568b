//! Queries for this resource, every one scoped by practice and access.
