ALTER TABLE disclosures DROP COLUMN document;
