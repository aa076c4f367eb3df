-- An open case untouched for long is flagged in the console (`[retention] stale_after_days`):
-- a case left open forever is a record kept by neglect. `touched_on` is the last day an ombuds
-- did something on the case after opening it (a note, a message, a date, a party, the plan, an
-- answer recorded, a letter marked sent, an assignment, a reason it stays open): a calendar day,
-- nothing finer, in the clear beside `opened_on`, and it goes with the case. NULL until the
-- first such act: the day it was opened counts then.
ALTER TABLE cases ADD COLUMN touched_on DATE;

-- Open cases stored before: the latest day their rows already show an ombuds at work.
UPDATE cases SET touched_on = (
    SELECT max(done.day) FROM (
        SELECT case_id, written_on AS day FROM notes
        UNION ALL SELECT case_id, sent_on FROM messages WHERE author = 'ombuds'
        UNION ALL SELECT case_id, corrected_on FROM date_corrections
        UNION ALL SELECT case_id, written_on FROM plans
        UNION ALL SELECT case_id, sent_on FROM letters WHERE sent_on IS NOT NULL
    ) done WHERE done.case_id = cases.id
) WHERE status = 'open';
