-- The optional e-mail digest (issue 21, item 7). An ombuds who asks for it gives the address it
-- goes to: staff data, in the clear like the username, kept until changed or the account goes.
-- `digest_runs` holds one row, the number of the last sending slot a digest round ran for
-- (whether or not anything was sent), so that a restart or another server never sends twice in
-- one interval. A slot number counts intervals from a fixed day; it says nothing of any concern.
ALTER TABLE users ADD COLUMN digest_address TEXT;
CREATE TABLE digest_runs (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_slot INTEGER NOT NULL
) STRICT;
