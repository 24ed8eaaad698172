-- Events the county refused (4.00 naming the record) and the device set
-- aside (docs/county.md, "A cylinder's life"; review rev102), as a
-- station's outbox does (schema/station/004_outbox_aside.sql): a set-aside
-- row stays in the outbox, at its seq, with when and why; gasdeliver sends
-- no row that has aside_ms, and no mark deletes one, so the events after it
-- go on.  `gasdeliver aside --retry` clears both columns and the row goes
-- out again in seq order; `gasdeliver aside --drop` deletes the row (the
-- event stays in life_events).  tools/gasdeliver/outbox.c owns them.
ALTER TABLE outbox ADD COLUMN aside_ms INTEGER;
ALTER TABLE outbox ADD COLUMN aside_reason TEXT;
