pub mod access_report;
pub mod checkpoints;
pub mod list;
