//! Milestones of a couple's plan, the built-in plans (templates) and progress.

pub mod create;
pub mod from_template;
pub mod list;
pub mod progress;
pub mod read;
pub mod templates;
pub mod update;
