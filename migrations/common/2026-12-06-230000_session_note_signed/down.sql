DROP INDEX notes_draft_author_idx;
DROP INDEX sessions_needs_note_idx;
ALTER TABLE sessions DROP COLUMN note_signed;
