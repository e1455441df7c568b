DROP INDEX notes_signed_session_idx;
DROP INDEX sessions_draft_summary_idx;
DROP INDEX sessions_scheduled_ends_idx;
