-- The worklist's `session_needs_note` (a completed session without a signed note) used to ask every
-- completed session of the counselor whether a signed note exists: all of a counselor's history on
-- every read. A session now records that one of its notes is signed, set in the transaction that
-- signs it (a signed note never goes back to draft and is never deleted), and a partial index
-- holds only the completed sessions still waiting for one, in the worklist's order.
ALTER TABLE sessions ADD COLUMN note_signed BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE sessions SET note_signed = TRUE
 WHERE EXISTS (SELECT 1 FROM notes n WHERE n.session_id = sessions.id AND n.status = 'signed');
CREATE INDEX sessions_needs_note_idx ON sessions (counselor_id, ends_at, id)
 WHERE status = 'completed' AND NOT note_signed;
-- `note_unsigned` (the caller's draft notes) reads only drafts, in the worklist's order.
CREATE INDEX notes_draft_author_idx ON notes (author_id, created_at, id) WHERE status = 'draft';
