DROP TRIGGER audit_chain_no_update;
DROP TRIGGER audit_chain_no_delete;
DROP TRIGGER audit_subjects_no_update;
DROP TRIGGER audit_subjects_no_delete;
DROP TRIGGER audit_checkpoints_no_update;
DROP TRIGGER audit_checkpoints_no_delete;
