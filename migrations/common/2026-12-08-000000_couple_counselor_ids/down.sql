ALTER TABLE couples DROP COLUMN counselor_ids;
