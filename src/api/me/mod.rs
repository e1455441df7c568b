pub mod mfa;
pub mod password;
pub mod read;
