-- The cases the escalation sweep looks for (docs/county.md, "Cases"): open,
-- not yet escalated, and past the deadline of their stage.  gascounty's
-- timer runs the sweep every few seconds; without an index of its own it
-- read every case of the county each time (SCAN cases: 011's urgency index
-- leads with is_open and severity, so it gives the open cases, escalated or
-- not, and no range of deadlines).  Partial: it holds only the open cases
-- not yet escalated, so it stays as small as the cases still waiting for
-- their first escalation, and a case leaves it when it is escalated or
-- closed.  Owned by tools/county/cases.h (cases_escalate).
--
-- is_open and escalated_ms are in the key as well as in the WHERE (they are
-- constant in it) so that the planner, without ANALYZE's statistics, takes
-- this index (two equalities and a range) over cases_urgency (one
-- equality); cases_escalate's statements name the same three terms, as a
-- partial index is used only for a query whose WHERE holds its own.
CREATE INDEX cases_escalation ON cases(is_open, escalated_ms, stage_due_ms)
	WHERE is_open = 1 AND escalated_ms = 0;
