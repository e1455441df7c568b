DROP TABLE disclosure_subjects;
DROP TABLE disclosures;
DROP TABLE release_authorizers;
DROP TABLE releases;
DROP TABLE policy_signatures;
DROP TABLE confidentiality_policies;
