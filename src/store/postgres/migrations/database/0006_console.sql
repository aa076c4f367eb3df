-- Several ombuds share the console. Who wrote a working note or a staff message in a thread
-- is sealed with it (`sealed_author`: the staff account's username; a note's under the key of
-- its expiry day and then the case's key, as its text; a message's under the case's key), so
-- that nothing in the clear says which ombuds wrote what. NULL for what was written before,
-- for what a receipt holder writes, and for what the service writes itself (a notice's
-- message in a thread).
ALTER TABLE notes ADD COLUMN sealed_author BYTEA;
ALTER TABLE messages ADD COLUMN sealed_author BYTEA;

-- The ombuds a case is assigned to (the account's username), in the clear so that the list can
-- show it and each ombuds can list their own cases without opening every case; NULL: nobody.
-- It goes with the case when it closes.
ALTER TABLE cases ADD COLUMN assigned_to TEXT;

-- The language of the intake page (or `?lang=` of the intake API) a web concern came through:
-- 'en' or 'es'. NULL for a contact logged by hand, and for concerns stored before it was kept.
ALTER TABLE cases ADD COLUMN intake_lang TEXT;
