-- Several ombuds share the console. Who wrote a working note or a staff message in a thread
-- is sealed with it (`sealed_author`: the staff account's username; a note's under the key of
-- its expiry day and then the case's key, as its text; a message's under the case's key), so
-- that nothing in the clear says which ombuds wrote what. NULL for what was written before,
-- for what a receipt holder writes, and for what the service writes itself (a notice's
-- message in a thread).
ALTER TABLE notes ADD COLUMN sealed_author BLOB;
ALTER TABLE messages ADD COLUMN sealed_author BLOB;

-- The ombuds a case is assigned to (the account's username), in the clear so that the list can
-- show it and each ombuds can list their own cases without opening every case; NULL: nobody.
-- It goes with the case when it closes.
ALTER TABLE cases ADD COLUMN assigned_to TEXT;

-- The language of the intake page (or `?lang=` of the intake API) a web concern came through:
-- 'en' or 'es'. NULL for a contact logged by hand, and for concerns stored before it was kept.
ALTER TABLE cases ADD COLUMN intake_lang TEXT;

-- A contact logged by hand may be issued a receipt later (its keyed hash goes in the existing
-- `cases.receipt_hash`). Periods in which the respondent held no REALTOR® membership, which
-- suspend the filing deadline as informal resolution does: when a named member's membership
-- lapsed can identify them, so both dates are sealed to the case's key (`sealed`); only the
-- case they belong to is clear. They go with the case.
CREATE TABLE non_membership (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    sealed BLOB NOT NULL
) STRICT;
CREATE INDEX non_membership_by_case ON non_membership (case_id);
