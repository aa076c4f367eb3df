-- A case: a concern from the web intake (status 'new' until an ombuds opens it) or a contact
-- an ombuds logged by hand. Only these clear fields are readable without the case's key;
-- everything a person wrote is in `sealed` (and in notes and messages), sealed to that key.
-- A closed case is deleted outright, with its key; nothing here records that it existed.
CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    channel TEXT NOT NULL,
    category TEXT NOT NULL,
    raised_by TEXT NOT NULL,
    first_contact TEXT NOT NULL,
    opened_on TEXT,
    termination_date TEXT,
    services TEXT NOT NULL DEFAULT '',
    receipt_hash BLOB UNIQUE,
    recipient TEXT NOT NULL,
    key_id TEXT NOT NULL,
    sealed BLOB NOT NULL
) STRICT;
CREATE INDEX cases_by_status ON cases (status);
CREATE INDEX cases_by_key ON cases (key_id);

-- Working notes and commitments. `expires_on` is the day the note is destroyed; its text is
-- sealed to the key of that day, and that to the case's key.
-- `seq` is the row's key: a random key here would make every sweep touch a random page of
-- a million-entry index (ten times slower). The random `id` needs no index of its own: a
-- note is always looked up within its case.
CREATE TABLE notes (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    due_on TEXT,
    expires_on TEXT NOT NULL,
    written_on TEXT NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    sealed BLOB NOT NULL
) STRICT;
CREATE INDEX notes_by_case ON notes (case_id);
CREATE INDEX notes_by_expiry ON notes (expires_on);

-- The anonymous follow-up thread. `seq` orders it; only the date is kept, never the time.
CREATE TABLE messages (
    seq INTEGER PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    author TEXT NOT NULL,
    sent_on TEXT NOT NULL,
    sealed BLOB NOT NULL
) STRICT;
CREATE INDEX messages_by_case ON messages (case_id, seq);

-- Corrections of a case's first-contact or termination date. The reason is sealed to the
-- case's key and goes with the case.
CREATE TABLE date_corrections (
    seq INTEGER PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    field TEXT NOT NULL,
    old_date TEXT,
    new_date TEXT NOT NULL,
    corrected_on TEXT NOT NULL,
    sealed_reason BLOB NOT NULL
) STRICT;
CREATE INDEX date_corrections_by_case ON date_corrections (case_id);

-- Letters (termination notices) outlive their case for 180 days from their date, under a
-- key of their own; the submitter reads them with the receipt (its keyed hash is copied).
CREATE TABLE letters (
    id TEXT PRIMARY KEY,
    case_id TEXT REFERENCES cases (id) ON DELETE SET NULL,
    receipt_hash BLOB,
    kind TEXT NOT NULL,
    dated TEXT NOT NULL,
    expires_on TEXT NOT NULL,
    key_id TEXT NOT NULL,
    sealed_html BLOB NOT NULL,
    sealed_text BLOB NOT NULL
) STRICT;
CREATE INDEX letters_by_receipt ON letters (receipt_hash);
CREATE INDEX letters_by_case ON letters (case_id);
CREATE INDEX letters_by_key ON letters (key_id);
CREATE INDEX letters_by_expiry ON letters (expires_on);

-- Board trend counters: the only thing that outlives a case. A key names a month and
-- category-level dimensions only (see domain::trends::CounterKey); never a case or a day.
CREATE TABLE trend_counters (
    key TEXT PRIMARY KEY,
    month TEXT NOT NULL,
    count INTEGER NOT NULL
) STRICT;
CREATE INDEX trend_counters_by_month ON trend_counters (month);

-- Released reports, frozen at first release: a published period never changes. The noise
-- seed is not kept, so the noise can never be subtracted.
CREATE TABLE trend_releases (
    period TEXT PRIMARY KEY,
    release TEXT NOT NULL
) STRICT;

-- Staff accounts. The TOTP secret is sealed to the association's master key.
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    totp_sealed BLOB NOT NULL,
    totp_last_step INTEGER NOT NULL DEFAULT 0,
    disabled INTEGER NOT NULL DEFAULT 0
) STRICT;

-- One-time enrolment links, by the hash of their token. A NULL username lets the first
-- administrator choose a name.
CREATE TABLE enrolments (
    token_hash BLOB PRIMARY KEY,
    username TEXT,
    role TEXT NOT NULL,
    totp_sealed BLOB NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;

-- Staff sessions, by the hash of their cookie. Times are Unix seconds (staff only).
CREATE TABLE sessions (
    token_hash BLOB PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    last_seen INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Sign-in failures per username, by a keyed hash of what was typed (never the name itself,
-- which may be a password typed into the wrong box), and never by network address.
CREATE TABLE signin_throttle (
    key BLOB PRIMARY KEY,
    failures INTEGER NOT NULL,
    window_start INTEGER NOT NULL,
    blocked_until INTEGER NOT NULL
) STRICT;
