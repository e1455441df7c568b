-- The worklist (GET /worklist) asks for a caseload's open work: sessions still `scheduled`
-- (`session_needs_status`) and completed sessions with a draft summary (`summary_unshared`).
-- Both are few of a practice's sessions, so small partial indexes find them without reading
-- every session (the assignment check then runs on those few rows).
CREATE INDEX sessions_scheduled_ends_idx ON sessions (practice_id, ends_at) WHERE status = 'scheduled';
CREATE INDEX sessions_draft_summary_idx ON sessions (practice_id) WHERE summary_text IS NOT NULL AND summary_shared_at IS NULL;
-- `session_needs_note` asks, per completed session, whether a signed note exists.
CREATE INDEX notes_signed_session_idx ON notes (session_id) WHERE status = 'signed';
