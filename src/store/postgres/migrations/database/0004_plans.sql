-- A case's resolution plan: its current terms only (a revision replaces them), sealed to the
-- case's key; the version number, the day it was written and the day every party had accepted
-- it are clear. It goes with the case when it closes.
CREATE TABLE plans (
    case_id TEXT PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    written_on DATE NOT NULL,
    agreed_on DATE,
    sealed BYTEA NOT NULL
);

-- Each party's answer to the current version (party 1 is the person who raised the concern).
-- A revision deletes them all. Which party, the version, accepted or declined, how and when.
CREATE TABLE plan_answers (
    case_id TEXT NOT NULL REFERENCES plans (case_id) ON DELETE CASCADE,
    party BIGINT NOT NULL,
    version BIGINT NOT NULL,
    answer TEXT NOT NULL,
    channel TEXT NOT NULL,
    answered_on DATE NOT NULL,
    PRIMARY KEY (case_id, party)
);
