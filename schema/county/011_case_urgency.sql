-- The case list's order as indexes (docs/console.md, "The case list's
-- index"): the list shows a scope's cases most urgent first (open before
-- closed, critical before alert, then the nearest deadline of the case's
-- current stage, the newest first among equals) and at most a page of
-- them.  Without an index in that order every view read all the scope's
-- cases and sorted them (the county's 10,000 for a regulator); with one it
-- reads the page it shows and stops.  Overdue needs no column of its own:
-- an open case is overdue when its stage's deadline is before now, so the
-- overdue ones are the first of the deadline order.  Owned by
-- tools/county/cases.h.
--
-- Two values of the order are computed from a case's row, as columns so
-- that the indexes and the queries name the same thing (VIRTUAL: computed
-- when read, stored only in the indexes):
--   is_open       1 unless closed or dismissed (005's CHECK names every state)
--   stage_due_ms  the deadline of the current stage (007), 0 once closed or
--                 dismissed
-- and severity is ordered as text: 005's CHECK allows only 'alert' and
-- 'critical', and 'critical' > 'alert'.
ALTER TABLE cases ADD COLUMN is_open INTEGER
	GENERATED ALWAYS AS (state IN ('new', 'accepted', 'onsite', 'decided')) VIRTUAL;
ALTER TABLE cases ADD COLUMN stage_due_ms INTEGER
	GENERATED ALWAYS AS (CASE state WHEN 'new' THEN accept_due_ms
	                     WHEN 'accepted' THEN onsite_due_ms WHEN 'closed' THEN 0
	                     WHEN 'dismissed' THEN 0 ELSE close_due_ms END) VIRTUAL;

-- Read backwards each gives is_open DESC, severity DESC, stage_due_ms,
-- id DESC (the rowid ends every index): the county's list (a regulator),
-- a township's (an officer) and a grid worker's own reports.  The last
-- replaces 005's index on reporter alone, of which it is an extension.
CREATE INDEX cases_urgency ON cases(is_open, severity, stage_due_ms DESC);
CREATE INDEX cases_township_urgency ON cases(township, is_open, severity, stage_due_ms DESC);
DROP INDEX cases_reporter;
CREATE INDEX cases_reporter_urgency ON cases(reporter, is_open, severity, stage_due_ms DESC);
-- "mine" (accepted or reported by me) for a regulator: without it, that
-- OR of two columns would read the whole table in the list's order.
CREATE INDEX cases_officer ON cases(officer);
