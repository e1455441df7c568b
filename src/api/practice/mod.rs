pub mod read;
pub mod update;
