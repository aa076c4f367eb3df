-- Termination notices go to every party. A letter names the added party it is addressed to
-- (NULL: the person who raised the concern, and every letter written before parties existed)
-- and takes that party's receipt hash, so the party reads it with its own receipt, also after
-- the case is closed. `sealed_label` (sealed to the letter's own key) is how the console names
-- it: the matter's reference and the party's number and role. What the case page shows about
-- delivery is clear: whether the party has opened its follow-up page since the notice reached
-- its thread (no time is kept), and for a party without a receipt the day and way the ombuds
-- sent it.
ALTER TABLE letters ADD COLUMN party_id TEXT REFERENCES parties (id) ON DELETE SET NULL;
ALTER TABLE letters ADD COLUMN sealed_label BYTEA;
ALTER TABLE letters ADD COLUMN opened BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE letters ADD COLUMN sent_on DATE;
ALTER TABLE letters ADD COLUMN sent_by TEXT;
