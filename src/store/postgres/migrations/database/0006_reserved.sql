-- Placeholder: number 0006 belongs to a migration on another branch (issue 20 or 21). This
-- branch needs a file here only so that its own 0007 can be numbered as planned; when the two
-- branches meet, the other branch's 0006 replaces this file.
SELECT 1;
