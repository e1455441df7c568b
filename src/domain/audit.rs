//! The audit trail's vocabulary: what an event did, whether it was allowed, and who did it from
//! where. Named by every layer that records or reads events, so it lives here; writing events is
//! `audit`'s.

crate::vocabulary! {
    /// What an audited event did.
    pub enum Action {
        Read = "read",
        List = "list",
        Create = "create",
        Update = "update",
        Sign = "sign",
        Share = "share",
        Acknowledge = "acknowledge",
        Assign = "assign",
        Invite = "invite",
        Login = "login",
        Refresh = "refresh",
        Logout = "logout",
        Submit = "submit",
        Return = "return",
        Release = "release",
        Withdraw = "withdraw",
        Log = "log",
        Respond = "respond",
        Disclose = "disclose",
        Revoke = "revoke",
        Authorize = "authorize",
        Delete = "delete",
    }
}

impl Action {
    /// What a request of this method does, for a denial recorded before any handler ran:
    /// a GET that names one record reads it, other GETs list; POST creates, DELETE deletes,
    /// anything else updates.
    pub fn of_method(method: &actix_web::http::Method, names_one: bool) -> Action {
        use actix_web::http::Method;
        match *method {
            Method::GET if names_one => Action::Read,
            Method::GET => Action::List,
            Method::POST => Action::Create,
            Method::DELETE => Action::Delete,
            _ => Action::Update,
        }
    }

    /// Reads and lists: work that must not write anything but its audit event.
    pub fn is_read(self) -> bool {
        matches!(self, Action::Read | Action::List)
    }
}

crate::vocabulary! {
    /// Whether the attempt was allowed.
    pub enum Outcome { Success = "success", Denied = "denied" }
}

/// Who did it, from where, in which request.
#[derive(Clone, Debug)]
pub struct AuditContext {
    pub practice_id: Option<String>,
    pub actor_id: Option<String>,
    pub actor_role: Option<String>,
    pub request_id: String,
    pub ip: Option<String>,
}
