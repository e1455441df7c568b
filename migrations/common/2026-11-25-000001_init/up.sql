-- Portable schema: the same SQL runs on PostgreSQL and SQLite.
-- ids are TEXT (UUIDv7 made by the app), instants are TIMESTAMP holding UTC (microseconds),
-- calendar dates are TEXT 'YYYY-MM-DD', lists are TEXT holding JSON arrays.

CREATE TABLE practices (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    timezone TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE clients (
    id TEXT PRIMARY KEY,
    practice_id TEXT NOT NULL REFERENCES practices(id),
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    preferred_name TEXT,
    pronouns TEXT,
    date_of_birth TEXT,
    email TEXT,
    phone TEXT,
    status TEXT NOT NULL CHECK (status IN ('active', 'inactive', 'discharged')),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX clients_practice_name_idx ON clients (practice_id, last_name, first_name, id);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    practice_id TEXT NOT NULL REFERENCES practices(id),
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'counselor', 'client')),
    password_hash TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    client_id TEXT UNIQUE REFERENCES clients(id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((role = 'client') = (client_id IS NOT NULL))
);
CREATE INDEX users_practice_idx ON users (practice_id, id);

CREATE TABLE invites (
    id TEXT PRIMARY KEY,
    practice_id TEXT NOT NULL REFERENCES practices(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    revoked_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX invites_user_idx ON invites (user_id);
CREATE INDEX invites_practice_idx ON invites (practice_id);

CREATE TABLE refresh_tokens (
    id TEXT PRIMARY KEY,
    practice_id TEXT NOT NULL REFERENCES practices(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    family_id TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    revoked_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_practice_idx ON refresh_tokens (practice_id);

-- Login attempts, kept in the database so the limits hold across instances.
-- email_key is a SHA-256 of the lower-cased email: no address is stored here.
CREATE TABLE login_attempts (
    id TEXT PRIMARY KEY,
    email_key TEXT NOT NULL,
    ip TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure', 'locked', 'limited')),
    at TIMESTAMP NOT NULL
);
CREATE INDEX login_attempts_email_idx ON login_attempts (email_key, at);
CREATE INDEX login_attempts_ip_idx ON login_attempts (ip, at);

CREATE TABLE idempotency_keys (
    user_id TEXT NOT NULL REFERENCES users(id),
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status_code INTEGER,
    response_body TEXT,
    location TEXT,
    etag TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, idem_key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

CREATE TABLE audit_events (
    id TEXT PRIMARY KEY,
    practice_id TEXT REFERENCES practices(id),
    at TIMESTAMP NOT NULL,
    actor_id TEXT,
    actor_role TEXT,
    action TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('success', 'denied')),
    request_id TEXT NOT NULL,
    ip TEXT
);
CREATE INDEX audit_events_practice_idx ON audit_events (practice_id, id);
CREATE INDEX audit_events_resource_idx ON audit_events (practice_id, resource_id);
CREATE INDEX audit_events_actor_idx ON audit_events (practice_id, actor_id);

CREATE TABLE client_counselors (
    client_id TEXT NOT NULL REFERENCES clients(id),
    counselor_id TEXT NOT NULL REFERENCES users(id),
    practice_id TEXT NOT NULL REFERENCES practices(id),
    PRIMARY KEY (client_id, counselor_id)
);
CREATE INDEX client_counselors_counselor_idx ON client_counselors (counselor_id);
CREATE INDEX client_counselors_practice_idx ON client_counselors (practice_id);

CREATE TABLE couples (
    id TEXT PRIMARY KEY,
    practice_id TEXT NOT NULL REFERENCES practices(id),
    status TEXT NOT NULL CHECK (status IN ('active', 'paused', 'closed')),
    presenting_concern TEXT,
    relationship_started_on TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX couples_practice_idx ON couples (practice_id, id);

CREATE TABLE couple_partners (
    couple_id TEXT NOT NULL REFERENCES couples(id),
    client_id TEXT NOT NULL REFERENCES clients(id),
    practice_id TEXT NOT NULL REFERENCES practices(id),
    position INTEGER NOT NULL,
    PRIMARY KEY (couple_id, client_id)
);
CREATE INDEX couple_partners_client_idx ON couple_partners (client_id);
CREATE INDEX couple_partners_practice_idx ON couple_partners (practice_id);

CREATE TABLE couple_counselors (
    couple_id TEXT NOT NULL REFERENCES couples(id),
    counselor_id TEXT NOT NULL REFERENCES users(id),
    practice_id TEXT NOT NULL REFERENCES practices(id),
    PRIMARY KEY (couple_id, counselor_id)
);
CREATE INDEX couple_counselors_counselor_idx ON couple_counselors (counselor_id);
CREATE INDEX couple_counselors_practice_idx ON couple_counselors (practice_id);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    practice_id TEXT NOT NULL REFERENCES practices(id),
    couple_id TEXT REFERENCES couples(id),
    client_id TEXT REFERENCES clients(id),
    counselor_id TEXT NOT NULL REFERENCES users(id),
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    duration_minutes INTEGER NOT NULL CHECK (duration_minutes BETWEEN 15 AND 240),
    modality TEXT NOT NULL CHECK (modality IN ('in_person', 'telehealth', 'phone')),
    status TEXT NOT NULL CHECK (status IN ('scheduled', 'completed', 'cancelled', 'no_show')),
    cancellation_reason TEXT,
    summary_text TEXT,
    summary_shared_at TIMESTAMP,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((couple_id IS NULL) <> (client_id IS NULL))
);
CREATE INDEX sessions_couple_idx ON sessions (couple_id, starts_at, id);
CREATE INDEX sessions_client_idx ON sessions (client_id, starts_at, id);
CREATE INDEX sessions_counselor_idx ON sessions (counselor_id, starts_at, id);
CREATE INDEX sessions_practice_idx ON sessions (practice_id, starts_at, id);

CREATE TABLE session_attendees (
    session_id TEXT NOT NULL REFERENCES sessions(id),
    client_id TEXT NOT NULL REFERENCES clients(id),
    practice_id TEXT NOT NULL REFERENCES practices(id),
    PRIMARY KEY (session_id, client_id)
);
CREATE INDEX session_attendees_client_idx ON session_attendees (client_id);
CREATE INDEX session_attendees_practice_idx ON session_attendees (practice_id);

CREATE TABLE notes (
    id TEXT PRIMARY KEY,
    practice_id TEXT NOT NULL REFERENCES practices(id),
    session_id TEXT NOT NULL REFERENCES sessions(id),
    couple_id TEXT REFERENCES couples(id),
    client_id TEXT REFERENCES clients(id),
    author_id TEXT NOT NULL REFERENCES users(id),
    body TEXT NOT NULL,
    topics TEXT NOT NULL,
    agreements TEXT NOT NULL,
    risk_level TEXT CHECK (risk_level IN ('none', 'low', 'moderate', 'high')),
    status TEXT NOT NULL CHECK (status IN ('draft', 'signed')),
    signed_at TIMESTAMP,
    signed_by TEXT REFERENCES users(id),
    content_sha256 TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX notes_session_idx ON notes (session_id, created_at, id);
CREATE INDEX notes_couple_idx ON notes (couple_id);
CREATE INDEX notes_client_idx ON notes (client_id);
CREATE INDEX notes_author_idx ON notes (author_id);
CREATE INDEX notes_signed_by_idx ON notes (signed_by);
CREATE INDEX notes_practice_idx ON notes (practice_id);

CREATE TABLE note_addenda (
    id TEXT PRIMARY KEY,
    practice_id TEXT NOT NULL REFERENCES practices(id),
    note_id TEXT NOT NULL REFERENCES notes(id),
    author_id TEXT NOT NULL REFERENCES users(id),
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX note_addenda_note_idx ON note_addenda (note_id, created_at, id);
CREATE INDEX note_addenda_author_idx ON note_addenda (author_id);
CREATE INDEX note_addenda_practice_idx ON note_addenda (practice_id);

CREATE TABLE boundaries (
    id TEXT PRIMARY KEY,
    practice_id TEXT NOT NULL REFERENCES practices(id),
    couple_id TEXT NOT NULL REFERENCES couples(id),
    title TEXT NOT NULL,
    description TEXT,
    requested_by TEXT REFERENCES clients(id),
    responsible_ids TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('proposed', 'active', 'revised', 'retired')),
    review_on TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX boundaries_couple_idx ON boundaries (couple_id, created_at, id);
CREATE INDEX boundaries_requested_by_idx ON boundaries (requested_by);
CREATE INDEX boundaries_practice_idx ON boundaries (practice_id);

CREATE TABLE boundary_acknowledgements (
    boundary_id TEXT NOT NULL REFERENCES boundaries(id),
    client_id TEXT NOT NULL REFERENCES clients(id),
    practice_id TEXT NOT NULL REFERENCES practices(id),
    acknowledged_at TIMESTAMP NOT NULL,
    PRIMARY KEY (boundary_id, client_id)
);
CREATE INDEX boundary_acknowledgements_client_idx ON boundary_acknowledgements (client_id);
CREATE INDEX boundary_acknowledgements_practice_idx ON boundary_acknowledgements (practice_id);

CREATE TABLE boundary_check_ins (
    id TEXT PRIMARY KEY,
    practice_id TEXT NOT NULL REFERENCES practices(id),
    boundary_id TEXT NOT NULL REFERENCES boundaries(id),
    reported_by TEXT NOT NULL REFERENCES clients(id),
    recorded_by TEXT NOT NULL REFERENCES users(id),
    kept BOOLEAN NOT NULL,
    note TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX boundary_check_ins_boundary_idx ON boundary_check_ins (boundary_id, created_at, id);
CREATE INDEX boundary_check_ins_reported_by_idx ON boundary_check_ins (reported_by);
CREATE INDEX boundary_check_ins_recorded_by_idx ON boundary_check_ins (recorded_by);
CREATE INDEX boundary_check_ins_practice_idx ON boundary_check_ins (practice_id);

CREATE TABLE milestones (
    id TEXT PRIMARY KEY,
    practice_id TEXT NOT NULL REFERENCES practices(id),
    couple_id TEXT NOT NULL REFERENCES couples(id),
    title TEXT NOT NULL,
    description TEXT,
    phase TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('not_started', 'in_progress', 'achieved', 'set_aside')),
    target_on TEXT,
    achieved_on TEXT,
    visible_to_clients BOOLEAN NOT NULL,
    position INTEGER NOT NULL,
    template_key TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX milestones_couple_idx ON milestones (couple_id, position, id);
CREATE INDEX milestones_practice_idx ON milestones (practice_id);
