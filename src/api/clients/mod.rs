//! Handlers for this resource, one file per action.
