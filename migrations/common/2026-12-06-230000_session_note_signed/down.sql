DROP INDEX sessions_needs_note_idx;
ALTER TABLE sessions DROP COLUMN note_signed;
