-- A formal ethics complaint already filed and referred to the ombuds (docs/RULES.md, "A
-- complaint already filed"): no filing deadline is suspended, and the letters at the end say
-- whether the complaint will be dismissed or proceeds. A yes/no in the clear, like the case's
-- other clear fields; it goes with the case.
ALTER TABLE cases ADD COLUMN complaint_filed INTEGER NOT NULL DEFAULT 0;

-- Whether the receipt holder has opened the follow-up page since an ombuds message reached
-- their thread (a yes/no, never when), so that the closing form can warn that closing would
-- destroy a message its reader has not seen. Like letters.opened.
ALTER TABLE messages ADD COLUMN opened INTEGER NOT NULL DEFAULT 0;
