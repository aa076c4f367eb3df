-- One age identity per case, encrypted to the association's master key.
CREATE TABLE keystore.content_keys (
    id TEXT PRIMARY KEY,
    wrapped BLOB NOT NULL
) STRICT;

-- One age identity per expiry day, wrapped to the master key; the public half is kept in the
-- clear so that sealing needs no secret. The sweeper destroys a day's key on that day.
CREATE TABLE keystore.day_keys (
    day TEXT PRIMARY KEY,
    recipient TEXT NOT NULL,
    wrapped BLOB NOT NULL
) STRICT;
