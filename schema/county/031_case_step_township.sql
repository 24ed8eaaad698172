-- The township a case was in after each of its steps, as state is its
-- state after it (docs/county.md, "Cases").  The figures count a township's
-- escalations from its escalate steps by this column (cases_figures): until
-- now they counted cases.escalated_ms under the case's township of today, so
-- a regulator's reassignment from TA to TB took TA's escalation out of TA's
-- figures (reassignment clears escalated_ms), and an escalation TB earned
-- later was TB's alone: a township's record was cleaned by moving its case
-- away (review rev100).  A reassign step holds the township it gave the case
-- to (its facts say where from).  Owned by tools/county/cases.h.
ALTER TABLE case_steps ADD COLUMN township TEXT NOT NULL DEFAULT '';

-- The steps before this version: the township a case left at its next
-- reassignment (017's facts.from; before 017 the note began "FROM -> TO: "),
-- else, with no reassignment after the step, the case's township of today.
-- A next reassignment whose note does not say where from (none is known to
-- have been written so) leaves its steps under today's township, which is
-- then a guess: the figures of those old escalations may be the later
-- township's.
UPDATE case_steps SET township = coalesce(
	(SELECT CASE
		WHEN r.facts IS NOT NULL THEN json_extract(r.facts, '$.from')
		WHEN instr(r.note, ' -> ') > 1 THEN substr(r.note, 1, instr(r.note, ' -> ') - 1)
		END
	 FROM case_steps r
	 WHERE r.case_id = case_steps.case_id AND r.action = 'reassign' AND r.id > case_steps.id
	 ORDER BY r.id LIMIT 1),
	(SELECT township FROM cases WHERE cases.id = case_steps.case_id),
	'');

-- A township's escalations in a period (the figure "escalated"): a range of
-- this index per township, whatever else the county holds.  Partial: only
-- the escalate steps, a few per overdue case.
CREATE INDEX case_steps_escalated ON case_steps(township, at_ms) WHERE action = 'escalate';
