-- A delivery device's word at the door (docs/county.md, "A device's word
-- at the door"), and what the rules cost as a cylinder's rows grow (an
-- audit of 7 Dec 2026).
--
-- counts: whether a step is in the cylinder's chain, judged once when it
-- is stored (tools/county/life.c, step_counts): a station's always; a
-- delivery device's only where the chain's latest step before it puts the
-- cylinder in that device's reach (a dispatch to it, its own step, a
-- hand-over to the household a return names, a licensed fill since).
-- Until now every device's step counted, so a device could "return" the
-- cylinders on another worker's truck (each next honest hand-over a C07)
-- or settle a dispatch that was not its own.  The steps held before this
-- migration were taken under the old rules and keep counting.
ALTER TABLE life_events ADD COLUMN counts INTEGER NOT NULL DEFAULT 1;

-- the chain's latest step before a new one (step_counts, C09's holding),
-- the chain's steps that start a cycle (C07; the expression is life.c's
-- CYCLE_TERM, word for word, so that SQLite takes this index), a
-- cylinder's steps by kind (C11's scrap, C13's inspection steps, the
-- dispatches a worker settles), and a device's events of one cylinder by
-- arrival (lifeingest.c's bound per cylinder); with these a stray's rows
-- cost a new step nothing, where before each new step walked them all
CREATE INDEX life_events_chain ON life_events(serial, rule_ms) WHERE counts = 1;
CREATE INDEX life_events_cycle ON life_events(serial, rule_ms)
	WHERE counts = 1 AND (event IN ('received', 'handed_over') OR (event = 'returned' AND buyer <> ''));
CREATE INDEX life_events_serial_event ON life_events(serial, event, rule_ms);
CREATE INDEX life_events_serial_source ON life_events(serial, source, stored_ms);
