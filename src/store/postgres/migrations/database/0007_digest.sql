-- The optional e-mail digest (issue 21, item 7). An ombuds who asks for it gives the address it
-- goes to: staff data, in the clear like the username, kept until changed or the account goes.
-- `digest_runs` holds one row: when the last sending slot a digest round ran for began
-- (whether or not anything was sent), so that a restart or another server never sends twice in
-- one interval. It is a time of the schedule (seconds of the association's wall clock from
-- 2001-01-01), the same for every deployment with that schedule; it says nothing of a concern.
ALTER TABLE users ADD COLUMN digest_address TEXT;
CREATE TABLE digest_runs (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_slot BIGINT NOT NULL
);
