-- A case: a concern from the web intake (status 'new' until an ombuds opens it) or a contact
-- an ombuds logged by hand. Only these clear fields are readable without the case's key;
-- everything a person wrote is in `sealed` (and in notes and messages), sealed to that key.
-- A closed case is deleted outright; its key, in the key store, is destroyed right after.
CREATE TABLE cases (
    id TEXT COLLATE "C" PRIMARY KEY,
    status TEXT NOT NULL,
    channel TEXT NOT NULL,
    category TEXT NOT NULL,
    raised_by TEXT NOT NULL,
    first_contact DATE NOT NULL,
    opened_on DATE,
    termination_date DATE,
    services TEXT NOT NULL DEFAULT '',
    receipt_hash BYTEA UNIQUE,
    recipient TEXT NOT NULL,
    key_id TEXT NOT NULL,
    sealed BYTEA NOT NULL
);
CREATE INDEX cases_by_status ON cases (status);
CREATE INDEX cases_by_key ON cases (key_id);

-- Working notes and commitments. `expires_on` is the day the note is destroyed; its text is
-- sealed to the key of that day, and that to the case's key. `seq` keeps the order written.
CREATE TABLE notes (
    seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    due_on DATE,
    expires_on DATE NOT NULL,
    written_on DATE NOT NULL,
    done BOOLEAN NOT NULL DEFAULT false,
    sealed BYTEA NOT NULL
);
CREATE INDEX notes_by_case ON notes (case_id);
CREATE INDEX notes_by_expiry ON notes (expires_on);

-- The anonymous follow-up thread. `seq` orders it; only the date is kept, never the time.
CREATE TABLE messages (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    author TEXT NOT NULL,
    sent_on DATE NOT NULL,
    sealed BYTEA NOT NULL
);
CREATE INDEX messages_by_case ON messages (case_id, seq);

-- Corrections of a case's first-contact or termination date. The reason is sealed to the
-- case's key and goes with the case.
CREATE TABLE date_corrections (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    field TEXT NOT NULL,
    old_date DATE,
    new_date DATE NOT NULL,
    corrected_on DATE NOT NULL,
    sealed_reason BYTEA NOT NULL
);
CREATE INDEX date_corrections_by_case ON date_corrections (case_id);

-- Letters (termination notices) outlive their case for 180 days from their date, under a
-- key of their own; the submitter reads them with the receipt (its keyed hash is copied).
CREATE TABLE letters (
    seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    id TEXT PRIMARY KEY,
    case_id TEXT REFERENCES cases (id) ON DELETE SET NULL,
    receipt_hash BYTEA,
    kind TEXT NOT NULL,
    dated DATE NOT NULL,
    expires_on DATE NOT NULL,
    key_id TEXT NOT NULL,
    sealed_html BYTEA NOT NULL,
    sealed_text BYTEA NOT NULL
);
CREATE INDEX letters_by_receipt ON letters (receipt_hash);
CREATE INDEX letters_by_case ON letters (case_id);
CREATE INDEX letters_by_key ON letters (key_id);
CREATE INDEX letters_by_expiry ON letters (expires_on);

-- Board trend counters: the only thing that outlives a case. A key names a month and
-- category-level dimensions only (see domain::trends::CounterKey); never a case or a day.
-- Text compares byte by byte (COLLATE "C"), as in SQLite, so orderings agree.
CREATE TABLE trend_counters (
    key TEXT COLLATE "C" PRIMARY KEY,
    month TEXT COLLATE "C" NOT NULL,
    count BIGINT NOT NULL
);
CREATE INDEX trend_counters_by_month ON trend_counters (month);

-- Released reports, frozen at first release: a published period never changes.
CREATE TABLE trend_releases (
    period TEXT COLLATE "C" PRIMARY KEY,
    release TEXT NOT NULL
);

-- Staff accounts. The TOTP secret is sealed to the association's master key.
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT COLLATE "C" NOT NULL UNIQUE,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    totp_sealed BYTEA NOT NULL,
    totp_last_step BIGINT NOT NULL DEFAULT 0,
    disabled BOOLEAN NOT NULL DEFAULT false
);

-- One-time enrolment links, by the hash of their token. A NULL username lets the first
-- administrator choose a name.
CREATE TABLE enrolments (
    token_hash BYTEA PRIMARY KEY,
    username TEXT COLLATE "C",
    role TEXT NOT NULL,
    totp_sealed BYTEA NOT NULL,
    expires_at BIGINT NOT NULL
);

-- Staff sessions, by the hash of their cookie. Times are Unix seconds (staff only).
CREATE TABLE sessions (
    token_hash BYTEA PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    last_seen BIGINT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Sign-in failures per username, by a keyed hash of what was typed (never the name itself),
-- and never by network address.
CREATE TABLE signin_throttle (
    key BYTEA PRIMARY KEY,
    failures BIGINT NOT NULL,
    window_start BIGINT NOT NULL,
    blocked_until BIGINT NOT NULL
);
