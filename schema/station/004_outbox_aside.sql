-- Records the county refused (4.00) and the station set aside
-- (docs/fill-line.md, "Records the county refuses"; docs/schema.md).  A
-- set-aside row stays in the outbox, at its seq, with when and why: the
-- uplink sends no row that has aside_ms, and no mark or trim deletes one.
-- `gasctl aside --retry` clears both columns and the row goes out again in
-- seq order.  records.c owns these columns as it owns the outbox.
ALTER TABLE outbox ADD COLUMN aside_ms INTEGER;
ALTER TABLE outbox ADD COLUMN aside_reason TEXT;
CREATE INDEX outbox_aside ON outbox(aside_ms) WHERE aside_ms IS NOT NULL;
