pub mod accept_invite;
pub mod login;
pub mod logout;
pub mod refresh;
