-- A delivery device's word at the door (docs/county.md, "A device's word
-- at the door"), after the review of 7 Dec 2026, and what the rules cost as
-- a cylinder's rows grow.
--
-- counts: whether a step is in the cylinder's chain, judged when it is
-- stored (tools/county/life.c, step_counts) and again when a station's
-- step dated before it arrives later (its upload lagged):
--   1  in the chain: a station's step; a device's where the chain's latest
--      step before it puts the cylinder in that device's reach (a dispatch
--      to it; its own step; a hand-over to the household a return names);
--   2  in the chain on the cylinder's first sight or a licensed fill since
--      (a delivery company buys at the counter and nobody dispatches):
--      it starts a C07 cycle for its own device's later steps only, so
--      that a stranger's step between a fill and the dispatch starts none
--      for the worker dispatched to; a step resting on it is 2 as well;
--   0  outside it: kept and traced, counting for nothing.
-- Until now every device's step counted, so a device could "return" the
-- cylinders on another worker's truck (each next honest hand-over a C07)
-- or settle a dispatch that was not its own.  The steps held before this
-- migration were taken under the old rules and keep counting (1).
ALTER TABLE life_events ADD COLUMN counts INTEGER NOT NULL DEFAULT 1;

-- the chain's latest step before a new one (step_counts, C09's holding);
-- the chain's steps that start a cycle (C07; the expression is life.c's
-- CYCLE_TERM, word for word, so that SQLite takes this index); a device's
-- events of one cylinder by arrival (lifeingest.c's bound per cylinder)
CREATE INDEX life_events_chain ON life_events(serial, rule_ms) WHERE counts <> 0;
CREATE INDEX life_events_cycle ON life_events(serial, rule_ms)
	WHERE counts <> 0 AND (event IN ('received', 'handed_over') OR (event = 'returned' AND buyer <> ''));
CREATE INDEX life_events_serial_source ON life_events(serial, source, stored_ms);
