DROP TABLE activity_logs;
DROP TABLE activities;
DROP TABLE letter_revisions;
DROP TABLE letters;
