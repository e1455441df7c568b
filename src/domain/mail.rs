//! The mail Mend sends: an invitation or a password reset, in plain text and HTML, with one
//! link. Never clinical text, never another person's name (not even the practice's staff): the
//! link is the whole message.

use crate::domain::Role;

/// One message to one address.
#[derive(Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl std::fmt::Debug for Mail {
    /// Never the address or the link (a live token).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mail").field("subject", &self.subject).finish_non_exhaustive()
    }
}

/// What a message is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MailKind {
    Invite,
    Reset,
}

/// The page a user of `role` opens the link in: the portal for clients, `/app` for staff.
fn page(role: Role) -> &'static str {
    if role == Role::Client {
        "portal"
    } else {
        "app"
    }
}

/// The link in the message: `{public_url}/portal?invite=TOKEN` (or `/app`, or `reset=`).
pub fn link(public_url: &str, kind: MailKind, role: Role, token: &str) -> String {
    let param = match kind {
        MailKind::Invite => "invite",
        MailKind::Reset => "reset",
    };
    format!("{}/{}?{param}={token}", public_url.trim_end_matches('/'), page(role))
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The message of `kind` to `to`, for a user of `role`, with `link`.
pub fn compose(kind: MailKind, to: &str, link: &str) -> Mail {
    let (subject, lead, action, expiry, ignore) = match kind {
        MailKind::Invite => (
            "Your invitation to Mend",
            "You have been invited to Mend.",
            "Set your password",
            "The link works once and expires in 7 days.",
            "If you did not expect this, you can ignore this message.",
        ),
        MailKind::Reset => (
            "Reset your Mend password",
            "Someone asked to reset the password of your Mend account.",
            "Choose a new password",
            "The link works once and expires in 30 minutes.",
            "If it was not you, ignore this message: your password stays as it is.",
        ),
    };
    let text = format!("{lead}\n\n{action}:\n{link}\n\n{expiry}\n{ignore}\n");
    let html = format!(
        "<!DOCTYPE html>\n<html><body>\n<p>{}</p>\n<p><a href=\"{}\">{}</a></p>\n<p>{}<br>{}</p>\n</body></html>\n",
        escape(lead),
        escape(link),
        escape(action),
        escape(expiry),
        escape(ignore)
    );
    Mail { to: to.to_string(), subject: subject.to_string(), text, html }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_link_in_both_parts() {
        let l = link("https://mend.example.org/", MailKind::Invite, Role::Client, "tok_1");
        assert_eq!(l, "https://mend.example.org/portal?invite=tok_1");
        assert_eq!(link("https://m.example", MailKind::Reset, Role::Counselor, "t"), "https://m.example/app?reset=t");
        let m = compose(MailKind::Reset, "a@example.org", "https://x.example/app?reset=a&b");
        assert_eq!(m.text.matches("https://").count(), 1);
        assert!(m.html.contains("href=\"https://x.example/app?reset=a&amp;b\""));
        assert!(!format!("{m:?}").contains("a@example.org"));
    }
}
