ALTER TABLE couples DROP COLUMN partner_b_id;
ALTER TABLE couples DROP COLUMN partner_a_id;
