-- The seal of the audit trail (src/seal). audit_events stays as it is; the chain lives beside it.

-- Each event once, in the order the sealer found it committed: seq 1, 2, 3 ... with no gap, and
-- hash = SHA-256(previous hash || the event's canonical form, its subjects and sealed_at).
-- No foreign key to audit_events: it would add nothing the verifier does not check (an event
-- gone from under its link is reported), and it would make TRUNCATE of the trail fail on the
-- key instead of on the append-only trigger.
CREATE TABLE audit_chain (
    seq BIGINT PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    sealed_at TIMESTAMP NOT NULL,
    hash TEXT NOT NULL
);

-- The clients whose records an event touched, written when the event is sealed. Same-practice
-- clients only. The primary key serves `GET /audit-events?subject_id=` (newest id first), the
-- second index the access reports (newest `at` first).
CREATE TABLE audit_subjects (
    client_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    practice_id TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    seq BIGINT NOT NULL,
    PRIMARY KEY (client_id, event_id)
);
CREATE INDEX audit_subjects_report_idx ON audit_subjects (client_id, at, event_id);
CREATE INDEX audit_subjects_event_idx ON audit_subjects (event_id);

-- Signed checkpoints of the chain (C2SP signed notes), one per size.
CREATE TABLE audit_checkpoints (
    size BIGINT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    origin TEXT NOT NULL,
    hash TEXT NOT NULL,
    key_name TEXT NOT NULL,
    key_id TEXT NOT NULL,
    note TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- Who seals now (one instance at a time), until when, and from which event id the sealer looks
-- for unsealed events (every event below it was sealed or can no longer commit).
CREATE TABLE audit_seal_lease (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    scan_from TEXT NOT NULL
);
INSERT INTO audit_seal_lease (name, holder, expires_at, scan_from) VALUES ('sealer', '', '1970-01-01 00:00:00', '');
