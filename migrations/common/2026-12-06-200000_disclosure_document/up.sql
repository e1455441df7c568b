-- What a disclosure carried, kept as it was at that moment (JSON: the practice, the recipient,
-- the purpose, the window, the authorizations, the names of the people in the records, and the
-- records themselves), so its document (GET /releases/{id}/document) never changes afterwards:
-- a later addendum or edit of a record does not reach it. Null for disclosures made before it
-- was kept.
ALTER TABLE disclosures ADD COLUMN document TEXT;
