-- A cylinder's life outside the filling line (docs/schema.md; docs/protocol.md,
-- "Life events"): gasctl dispatch (to a delivery worker, as the truck is
-- loaded) and gasctl receive (empties back).  Each row goes to the county
-- as a record of kind 'life' through the outbox, in the transaction that
-- writes it.  gateway/lib/liferows.c reads and writes the rows;
-- gateway/records.c owns the table as it owns the outbox.
CREATE TABLE life_events (
	uuid           TEXT PRIMARY KEY,
	event          TEXT NOT NULL CHECK (event IN ('dispatched', 'received', 'handed_over',
	               'returned', 'inspection_out', 'inspection_back', 'scrapped')),
	serial         TEXT NOT NULL,          -- from the verified code
	code           TEXT NOT NULL,          -- the signed code as scanned
	actor          TEXT NOT NULL,          -- operator certificate
	worker         TEXT NOT NULL DEFAULT '',  -- delivery worker, '' for none
	buyer          TEXT NOT NULL DEFAULT '',
	buyer_masked   TEXT NOT NULL DEFAULT '',
	buyer_township TEXT NOT NULL DEFAULT '',
	buyer_kind     TEXT NOT NULL DEFAULT '',
	village        TEXT NOT NULL DEFAULT '',
	lat_e6         INTEGER,                -- degrees x 1e6, NULL when unknown
	lon_e6         INTEGER,
	result         TEXT NOT NULL DEFAULT '',
	next_due       TEXT NOT NULL DEFAULT '',
	reason         TEXT NOT NULL DEFAULT '',
	at_ms          INTEGER NOT NULL
);
CREATE INDEX life_events_serial ON life_events(serial, at_ms);

-- The outbox takes kind 'life' too.  SQLite cannot change a CHECK, so the
-- table is rebuilt; its rows keep their seq, and the sequence keeps its
-- last value even when the outbox is empty (dropping a table forgets it),
-- so the next record still takes the next number: seq stays gap-free and
-- is never reused.
CREATE TABLE outbox_life (
	seq          INTEGER PRIMARY KEY AUTOINCREMENT,
	uuid         TEXT NOT NULL UNIQUE,
	kind         TEXT NOT NULL CHECK (kind IN ('fill', 'refusal', 'event', 'life')),
	created_ms   INTEGER NOT NULL,
	aside_ms     INTEGER,
	aside_reason TEXT
);
INSERT INTO outbox_life (seq, uuid, kind, created_ms, aside_ms, aside_reason)
	SELECT seq, uuid, kind, created_ms, aside_ms, aside_reason FROM outbox;
CREATE TABLE outbox_seq_kept AS SELECT seq FROM sqlite_sequence WHERE name = 'outbox';
DROP TABLE outbox;
ALTER TABLE outbox_life RENAME TO outbox;
DELETE FROM sqlite_sequence WHERE name = 'outbox';
INSERT INTO sqlite_sequence (name, seq) SELECT 'outbox', seq FROM outbox_seq_kept;
DROP TABLE outbox_seq_kept;
CREATE INDEX outbox_aside ON outbox(aside_ms) WHERE aside_ms IS NOT NULL;
