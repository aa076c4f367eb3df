-- Parties to a case besides the person who raised it (party 1, the case itself): the member
-- the concern is about, their designated broker, another party to the transaction, anyone else.
-- Only the number and whether the party holds a receipt (its keyed hash) are in the clear; its
-- role, name, contact and language are in `sealed`, sealed to the case's key, and go with the
-- case when it closes.
CREATE TABLE parties (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    number BIGINT NOT NULL,
    receipt_hash BYTEA UNIQUE,
    sealed BYTEA NOT NULL,
    UNIQUE (case_id, number)
);

-- Each party has a thread of its own; NULL is the thread of the person who raised the concern.
ALTER TABLE messages ADD COLUMN party_id TEXT REFERENCES parties (id) ON DELETE CASCADE;
-- Only for finding a party's messages when it goes (the foreign key); threads are read by case.
CREATE INDEX messages_by_party ON messages (party_id) WHERE party_id IS NOT NULL;
