pub mod password;
pub mod read;
