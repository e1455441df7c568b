-- Accounts a practice can trust: mail (an outbox shared by every instance), password resets,
-- two-factor sign-in (TOTP) and a practice's rule that staff use it.

ALTER TABLE practices ADD COLUMN require_staff_mfa BOOLEAN NOT NULL DEFAULT FALSE;

-- Mail waiting to be sent. Any instance's worker claims a due row under a lease (`claimed_by`,
-- `claimed_until`; an expired lease may be claimed again, so a crashed instance's mail goes out),
-- and finishes it as sent (its bodies are then cleared: a link in them is a live token) or, after
-- a failure, retries it later until `attempts` reaches the limit.
CREATE TABLE mail_outbox (
    id TEXT PRIMARY KEY,
    practice_id TEXT NOT NULL REFERENCES practices(id),
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_by TEXT,
    claimed_until TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX mail_outbox_due_idx ON mail_outbox (status, next_attempt_at);
CREATE INDEX mail_outbox_practice_idx ON mail_outbox (practice_id);

-- Password reset links: single use, 30 minutes; stored as SHA-256 hashes.
CREATE TABLE password_resets (
    id TEXT PRIMARY KEY,
    practice_id TEXT NOT NULL REFERENCES practices(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    revoked_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX password_resets_user_idx ON password_resets (user_id);
CREATE INDEX password_resets_practice_idx ON password_resets (practice_id);

-- A user's TOTP secret (encrypted with a key derived from MEND_JWT_SECRET, bound to the user):
-- pending until confirmed with a code (`enabled_at`). `last_step` is the time step of the last
-- code accepted: a code of that step or an earlier one is never accepted again.
CREATE TABLE user_mfa (
    user_id TEXT PRIMARY KEY REFERENCES users(id),
    practice_id TEXT NOT NULL REFERENCES practices(id),
    secret TEXT NOT NULL,
    enabled_at TIMESTAMP,
    last_step BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX user_mfa_practice_idx ON user_mfa (practice_id);

-- Recovery codes, hashed like passwords; each works once.
CREATE TABLE mfa_recovery_codes (
    id TEXT PRIMARY KEY,
    practice_id TEXT NOT NULL REFERENCES practices(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    code_hash TEXT NOT NULL,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX mfa_recovery_codes_user_idx ON mfa_recovery_codes (user_id);
CREATE INDEX mfa_recovery_codes_practice_idx ON mfa_recovery_codes (practice_id);

-- Sign-ins that passed the password and wait for the second factor (`mfa_token`, 5 minutes).
CREATE TABLE mfa_logins (
    id TEXT PRIMARY KEY,
    practice_id TEXT NOT NULL REFERENCES practices(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX mfa_logins_user_idx ON mfa_logins (user_id);
CREATE INDEX mfa_logins_practice_idx ON mfa_logins (practice_id);
