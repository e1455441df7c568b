pub mod accept_invite;
pub mod forgot_password;
pub mod login;
pub mod logout;
pub mod mfa;
pub mod refresh;
pub mod reset_password;
