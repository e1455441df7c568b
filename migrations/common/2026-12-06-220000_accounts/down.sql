DROP TABLE mfa_logins;
DROP TABLE mfa_recovery_codes;
DROP TABLE user_mfa;
DROP TABLE password_resets;
DROP TABLE mail_outbox;
ALTER TABLE practices DROP COLUMN require_staff_mfa;
