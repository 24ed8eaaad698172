-- Records the county acknowledged, kept for [county] acked_keep_days
-- (docs/protocol.md, "The station side").  An ACK moves a row here from
-- the outbox, at its seq, with when (acked_ms): the outbox keeps only what
-- waits (or is set aside), so its backlog and status counts are as before.
-- A county whose database was restored from an older backup answers a
-- mark below rows held here: they go back into the outbox at their seq and
-- are sent again, the same records, byte for byte.  The uplink thread
-- deletes rows older than the keep time, in short transactions.  seq is
-- the outbox's: never reused (the outbox's AUTOINCREMENT sequence goes on).
-- records.c owns this table as it owns the outbox.
CREATE TABLE outbox_acked (
	seq        INTEGER PRIMARY KEY,
	uuid       TEXT NOT NULL UNIQUE,
	kind       TEXT NOT NULL,
	created_ms INTEGER NOT NULL,
	acked_ms   INTEGER NOT NULL
);
CREATE INDEX outbox_acked_at ON outbox_acked(acked_ms);
