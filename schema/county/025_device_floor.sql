-- A delivery device's time floor (docs/county.md, "A delivery device's
-- time"): the latest rule time the county has given any of its events, and
-- that event's seq.  Until now the floor was the rule time of the device's
-- highest seq held, so a device that sent one event at a seq far ahead
-- (max_seq_jump allows it) and then went on below it kept its floor where
-- that one event put it: for life_max_delay_h it could date a hand-over
-- before its own return, and C07 and C17 stayed quiet (an audit of 7 Dec
-- 2026).  The ingest raises the floor with every event it stores, in the
-- same transaction; tools/county/life.c owns these two columns.
ALTER TABLE delivery_marks ADD COLUMN floor_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE delivery_marks ADD COLUMN floor_seq INTEGER NOT NULL DEFAULT 0;
UPDATE delivery_marks SET
	floor_ms = coalesce((SELECT max(rule_ms) FROM life_events e
	                     WHERE e.source = delivery_marks.source), 0),
	floor_seq = coalesce((SELECT seq FROM life_events e WHERE e.source = delivery_marks.source
	                      ORDER BY rule_ms DESC, seq DESC LIMIT 1), 0);
