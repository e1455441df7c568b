DROP TABLE audit_seal_lease;
DROP TABLE audit_checkpoints;
DROP TABLE audit_subjects;
DROP TABLE audit_chain;
