//! Response shapes for this audience.
