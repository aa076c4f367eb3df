-- The two-person rule (SECURITY.md, "Who can read what"): an ombuds account that an
-- administrator created or reset reads no case until another ombuds confirms it.
ALTER TABLE users ADD COLUMN case_access BOOLEAN NOT NULL DEFAULT true;
ALTER TABLE enrolments ADD COLUMN grant_id TEXT;

-- Each grant of case access, for every ombuds to see: whose account, new, reset or enabled
-- again, who asked and who decided, on which days (dates only). Listed while it waits for a
-- confirmation, and for 90 days after its last change.
CREATE TABLE access_grants (
    id TEXT PRIMARY KEY,
    username TEXT COLLATE "C" NOT NULL,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_on DATE NOT NULL,
    enrolled_on DATE,
    decided_by TEXT,
    decided_on DATE
);
