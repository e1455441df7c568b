-- Mediated letters (author-only drafts, submitted revisions, released text) and shared
-- activities with their logs.

CREATE TABLE letters (
    id TEXT PRIMARY KEY,
    practice_id TEXT NOT NULL REFERENCES practices(id),
    couple_id TEXT NOT NULL REFERENCES couples(id),
    author_id TEXT NOT NULL REFERENCES clients(id),
    kind TEXT NOT NULL CHECK (kind IN ('impact', 'accountability', 'response', 'other')),
    -- The author's working text: author-only.
    draft_title TEXT NOT NULL,
    draft_body TEXT NOT NULL,
    -- The text of the last submission: what counselors read and what a release shows.
    submitted_title TEXT,
    submitted_body TEXT,
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'returned', 'released', 'withdrawn')),
    counselor_comment TEXT,
    revision_count INTEGER NOT NULL DEFAULT 0,
    submitted_at TIMESTAMP,
    released_at TIMESTAMP,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX letters_couple_idx ON letters (couple_id, created_at, id);
CREATE INDEX letters_author_idx ON letters (author_id, created_at, id);
CREATE INDEX letters_practice_idx ON letters (practice_id);

-- One row per submission, never updated.
CREATE TABLE letter_revisions (
    letter_id TEXT NOT NULL REFERENCES letters(id),
    number INTEGER NOT NULL,
    practice_id TEXT NOT NULL REFERENCES practices(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    submitted_at TIMESTAMP NOT NULL,
    PRIMARY KEY (letter_id, number)
);
CREATE INDEX letter_revisions_practice_idx ON letter_revisions (practice_id);

CREATE TABLE activities (
    id TEXT PRIMARY KEY,
    practice_id TEXT NOT NULL REFERENCES practices(id),
    couple_id TEXT NOT NULL REFERENCES couples(id),
    title TEXT NOT NULL,
    instructions TEXT,
    -- NULL: both partners; otherwise the one partner it is for.
    assignee_id TEXT REFERENCES clients(id),
    cadence TEXT NOT NULL CHECK (cadence IN ('once', 'daily', 'weekly')),
    times_per_period INTEGER NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    reflection_prompt TEXT,
    template_key TEXT,
    status TEXT NOT NULL CHECK (status IN ('active', 'paused', 'completed', 'retired')),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX activities_couple_idx ON activities (couple_id, created_at, id);
CREATE INDEX activities_assignee_idx ON activities (assignee_id);
CREATE INDEX activities_practice_idx ON activities (practice_id);

CREATE TABLE activity_logs (
    id TEXT PRIMARY KEY,
    practice_id TEXT NOT NULL REFERENCES practices(id),
    activity_id TEXT NOT NULL REFERENCES activities(id),
    client_id TEXT NOT NULL REFERENCES clients(id),
    recorded_by TEXT NOT NULL REFERENCES users(id),
    done_on TEXT NOT NULL,
    completed BOOLEAN NOT NULL,
    reflection TEXT,
    shared_with_partner BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL
);
-- One log per partner per activity and day.
CREATE UNIQUE INDEX activity_logs_one_a_day ON activity_logs (activity_id, client_id, done_on);
CREATE INDEX activity_logs_activity_idx ON activity_logs (activity_id, done_on, id);
CREATE INDEX activity_logs_client_idx ON activity_logs (client_id);
CREATE INDEX activity_logs_recorded_by_idx ON activity_logs (recorded_by);
CREATE INDEX activity_logs_practice_idx ON activity_logs (practice_id);
