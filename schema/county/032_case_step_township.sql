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
-- The reassignments are gathered first, keyed by case and step, so that each
-- step finds the next one in a look-up: searched among the case's steps, a
-- case of 20,000 steps (a long stream of joins) took a minute.
CREATE TEMP TABLE m032_moves (
	case_id INTEGER NOT NULL,
	id      INTEGER NOT NULL,
	left_town TEXT,            -- the township the case left (NULL: not known)
	PRIMARY KEY (case_id, id)
) WITHOUT ROWID;
INSERT INTO m032_moves (case_id, id, left_town)
	SELECT case_id, id, CASE
		WHEN facts IS NOT NULL THEN json_extract(facts, '$.from')
		WHEN instr(note, ' -> ') > 1 THEN substr(note, 1, instr(note, ' -> ') - 1)
		END
	FROM case_steps WHERE action = 'reassign';
UPDATE case_steps SET township = coalesce(
	(SELECT m.left_town FROM m032_moves m
	 WHERE m.case_id = case_steps.case_id AND m.id > case_steps.id
	 ORDER BY m.id LIMIT 1),
	(SELECT township FROM cases WHERE cases.id = case_steps.case_id),
	'');
DROP TABLE m032_moves;

-- A township's escalations in a period (the figure "escalated"): a range of
-- this index per township, whatever else the county holds.  Partial: only
-- the escalate steps, a few per overdue case.
CREATE INDEX case_steps_escalated ON case_steps(township, at_ms) WHERE action = 'escalate';
