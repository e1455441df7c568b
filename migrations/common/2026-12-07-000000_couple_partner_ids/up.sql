-- A couple's two partners, on the couple's own row, in the order given at creation (position 0
-- and 1 of couple_partners, which keeps them too and holds their foreign keys). Partners never
-- change after creation, so the copy is written once, with the couple. A page of couples then
-- reads each partner's name from `clients` by key, without a lookup in couple_partners first.
ALTER TABLE couples ADD COLUMN partner_a_id TEXT;
ALTER TABLE couples ADD COLUMN partner_b_id TEXT;
UPDATE couples SET
    partner_a_id = (SELECT p.client_id FROM couple_partners p WHERE p.couple_id = couples.id AND p.position = 0),
    partner_b_id = (SELECT p.client_id FROM couple_partners p WHERE p.couple_id = couples.id AND p.position = 1);
