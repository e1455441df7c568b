-- A counselor's caseload is read by (counselor, practice) on every page of couples, every
-- worklist and every client list: with the couple (client) in the index, the assignment is read
-- from the index alone, in id order, and a page of couples stops at its size.
DROP INDEX couple_counselors_counselor_idx;
CREATE INDEX couple_counselors_counselor_idx ON couple_counselors (counselor_id, practice_id, couple_id);
DROP INDEX client_counselors_counselor_idx;
CREATE INDEX client_counselors_counselor_idx ON client_counselors (counselor_id, practice_id, client_id);
-- A couple's partner at a position (a page of couples and the worklist name both partners).
CREATE INDEX couple_partners_position_idx ON couple_partners (couple_id, position, client_id);
-- A couple's next session: the first still scheduled after now, read from the index alone.
CREATE INDEX sessions_couple_scheduled_idx ON sessions (couple_id, starts_at) WHERE status = 'scheduled';
