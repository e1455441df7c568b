ALTER TABLE assessments DROP COLUMN completed_on;
ALTER TABLE assessments DROP COLUMN opens_on;
