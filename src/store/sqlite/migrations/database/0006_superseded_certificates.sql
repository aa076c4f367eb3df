-- Corrections supersede. Every termination notice carries a signed certificate; a corrected
-- date issues a new one, and the one it replaces must stop verifying as valid. The case keeps
-- the random identifier of its current certificate (only while it is open), and the register
-- keeps, for as long as the signing key lives, which certificate identifier was replaced by
-- which: random identifiers only, no date, no case, nothing a person wrote.
ALTER TABLE cases ADD COLUMN certificate_id TEXT;
CREATE TABLE superseded_certificates (
    id TEXT PRIMARY KEY,
    replaced_by TEXT NOT NULL
) STRICT;
