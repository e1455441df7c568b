DROP INDEX sessions_couple_scheduled_idx;
DROP INDEX couple_partners_position_idx;
DROP INDEX client_counselors_counselor_idx;
CREATE INDEX client_counselors_counselor_idx ON client_counselors (counselor_id);
DROP INDEX couple_counselors_counselor_idx;
CREATE INDEX couple_counselors_counselor_idx ON couple_counselors (counselor_id);
