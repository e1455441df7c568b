-- Outcome measures: one assessment is one questionnaire for one client (a partner of a couple,
-- or a client seen alone). Answers are JSON (TEXT) keyed by item id; the score is the server's.
CREATE TABLE assessments (
    id TEXT PRIMARY KEY,
    practice_id TEXT NOT NULL REFERENCES practices(id),
    instrument TEXT NOT NULL,
    client_id TEXT NOT NULL REFERENCES clients(id),
    couple_id TEXT REFERENCES couples(id),
    status TEXT NOT NULL CHECK (status IN ('pending', 'completed', 'cancelled')),
    due_on TEXT,
    answers TEXT,
    score INTEGER,
    subscales TEXT,
    completed_at TIMESTAMP,
    responded_by TEXT REFERENCES users(id),
    created_by TEXT NOT NULL REFERENCES users(id),
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((status = 'completed') = (score IS NOT NULL AND answers IS NOT NULL AND completed_at IS NOT NULL))
);
CREATE INDEX assessments_practice_idx ON assessments (practice_id);
CREATE INDEX assessments_client_idx ON assessments (client_id, created_at, id);
CREATE INDEX assessments_couple_idx ON assessments (couple_id, instrument, created_at, id);
CREATE INDEX assessments_responded_by_idx ON assessments (responded_by);
CREATE INDEX assessments_created_by_idx ON assessments (created_by);
