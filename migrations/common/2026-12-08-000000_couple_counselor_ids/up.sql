-- A couple's counselors' ids (`a,b`, in no order), on the couple's own row, as a page of couples
-- shows them. couple_counselors stays the record (its keys, and every scope's join); this copy
-- is rewritten from it in the same transaction by each change of the couple's counselors
-- (`store::couples::assign`, `set_counselors`), which first hold the couple's row so that two
-- changes take turns. A page of couples then reads it with the row, where it aggregated
-- couple_counselors once per couple (an eighth of the page's statement).
ALTER TABLE couples ADD COLUMN counselor_ids TEXT;
UPDATE couples SET
    counselor_ids = (SELECT string_agg(c.counselor_id, ',') FROM couple_counselors c WHERE c.couple_id = couples.id);
