-- One age identity per case and per letter, encrypted to the association's master key.
-- `pending_on` is set (to the key store's date, never a time) while the content sealed to
-- the key is being stored, and cleared once it is: the sweeper treats a key that no content
-- uses as an orphan only when it is not pending, or has been pending since before yesterday
-- (a write that was interrupted).
CREATE TABLE content_keys (
    id TEXT PRIMARY KEY,
    wrapped BYTEA NOT NULL,
    pending_on DATE DEFAULT CURRENT_DATE
);

-- One age identity per expiry day, wrapped to the master key; the public half is kept in the
-- clear so that sealing needs no secret. The sweeper destroys a day's key on that day.
CREATE TABLE day_keys (
    day DATE PRIMARY KEY,
    recipient TEXT NOT NULL,
    wrapped BYTEA NOT NULL
);
