-- Confidentiality policies (versioned per couple, append-only) and their signatures;
-- releases of records, their authorizers, and the accounting of disclosures.

CREATE TABLE confidentiality_policies (
    id TEXT PRIMARY KEY,
    practice_id TEXT NOT NULL REFERENCES practices(id),
    couple_id TEXT NOT NULL REFERENCES couples(id),
    version BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('no_secrets', 'limited_secrets', 'accommodation')),
    text TEXT NOT NULL,
    text_sha256 TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (couple_id, version)
);
CREATE INDEX confidentiality_policies_practice_idx ON confidentiality_policies (practice_id);
CREATE INDEX confidentiality_policies_created_by_idx ON confidentiality_policies (created_by);

CREATE TABLE policy_signatures (
    policy_id TEXT NOT NULL REFERENCES confidentiality_policies(id),
    client_id TEXT NOT NULL REFERENCES clients(id),
    practice_id TEXT NOT NULL REFERENCES practices(id),
    version BIGINT NOT NULL,
    signed_name TEXT NOT NULL,
    signed_at TIMESTAMP NOT NULL,
    ip TEXT,
    text_sha256 TEXT NOT NULL,
    PRIMARY KEY (policy_id, client_id)
);
CREATE INDEX policy_signatures_client_idx ON policy_signatures (client_id);
CREATE INDEX policy_signatures_practice_idx ON policy_signatures (practice_id);

CREATE TABLE releases (
    id TEXT PRIMARY KEY,
    practice_id TEXT NOT NULL REFERENCES practices(id),
    couple_id TEXT REFERENCES couples(id),
    client_id TEXT REFERENCES clients(id),
    recipient_name TEXT NOT NULL,
    recipient_organization TEXT,
    purpose TEXT NOT NULL,
    from_on TEXT,
    to_on TEXT,
    include TEXT NOT NULL,
    include_mediation_notes BOOLEAN NOT NULL,
    expires_on TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'authorized', 'disclosed', 'revoked')),
    revoked_by TEXT REFERENCES clients(id),
    revoked_at TIMESTAMP,
    disclosed_at TIMESTAMP,
    created_by TEXT NOT NULL REFERENCES users(id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((couple_id IS NULL) <> (client_id IS NULL))
);
CREATE INDEX releases_couple_idx ON releases (couple_id, created_at, id);
CREATE INDEX releases_client_idx ON releases (client_id, created_at, id);
CREATE INDEX releases_practice_idx ON releases (practice_id);
CREATE INDEX releases_revoked_by_idx ON releases (revoked_by);
CREATE INDEX releases_created_by_idx ON releases (created_by);

-- The clients whose authorization a release needs (its required_ids), and their authorization.
CREATE TABLE release_authorizers (
    release_id TEXT NOT NULL REFERENCES releases(id),
    client_id TEXT NOT NULL REFERENCES clients(id),
    practice_id TEXT NOT NULL REFERENCES practices(id),
    position INTEGER NOT NULL,
    signed_name TEXT,
    authorized_at TIMESTAMP,
    ip TEXT,
    PRIMARY KEY (release_id, client_id)
);
CREATE INDEX release_authorizers_client_idx ON release_authorizers (client_id);
CREATE INDEX release_authorizers_practice_idx ON release_authorizers (practice_id);

-- The accounting of disclosures (HIPAA 164.528): one row per disclosure, as it was made.
CREATE TABLE disclosures (
    id TEXT PRIMARY KEY,
    practice_id TEXT NOT NULL REFERENCES practices(id),
    release_id TEXT NOT NULL UNIQUE REFERENCES releases(id),
    disclosed_at TIMESTAMP NOT NULL,
    disclosed_by TEXT NOT NULL REFERENCES users(id),
    recipient_name TEXT NOT NULL,
    recipient_organization TEXT,
    purpose TEXT NOT NULL,
    include TEXT NOT NULL,
    include_mediation_notes BOOLEAN NOT NULL,
    from_on TEXT,
    to_on TEXT
);
CREATE INDEX disclosures_practice_idx ON disclosures (practice_id);
CREATE INDEX disclosures_disclosed_by_idx ON disclosures (disclosed_by);

-- Every client whose records a disclosure carried.
CREATE TABLE disclosure_subjects (
    disclosure_id TEXT NOT NULL REFERENCES disclosures(id),
    client_id TEXT NOT NULL REFERENCES clients(id),
    practice_id TEXT NOT NULL REFERENCES practices(id),
    disclosed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (disclosure_id, client_id)
);
CREATE INDEX disclosure_subjects_client_idx ON disclosure_subjects (client_id, disclosed_at, disclosure_id);
CREATE INDEX disclosure_subjects_practice_idx ON disclosure_subjects (practice_id);
