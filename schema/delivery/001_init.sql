-- A delivery worker's device (gasdeliver; docs/protocol.md, "Life
-- events"): the hand-overs and returns it recorded, kept until the county
-- holds them.  The device works offline for as long as it must: every
-- event is committed here first, with its outbox row, and leaves only when
-- the county's answer covers it.  gateway/lib/liferows.c reads and writes
-- life_events (the same columns as the station's); tools/gasdeliver/outbox.c
-- owns the outbox and meta.
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE life_events (
	uuid           TEXT PRIMARY KEY,
	event          TEXT NOT NULL CHECK (event IN ('dispatched', 'received', 'handed_over',
	               'returned', 'inspection_out', 'inspection_back', 'scrapped')),
	serial         TEXT NOT NULL,
	code           TEXT NOT NULL,
	actor          TEXT NOT NULL,
	worker         TEXT NOT NULL DEFAULT '',
	buyer          TEXT NOT NULL DEFAULT '',
	buyer_masked   TEXT NOT NULL DEFAULT '',
	buyer_township TEXT NOT NULL DEFAULT '',
	buyer_kind     TEXT NOT NULL DEFAULT '',
	village        TEXT NOT NULL DEFAULT '',
	lat_e6         INTEGER,
	lon_e6         INTEGER,
	result         TEXT NOT NULL DEFAULT '',
	next_due       TEXT NOT NULL DEFAULT '',
	reason         TEXT NOT NULL DEFAULT '',
	at_ms          INTEGER NOT NULL
);
CREATE INDEX life_events_serial ON life_events(serial, at_ms);

-- The device's own gap-free sequence (AUTOINCREMENT inside the committing
-- transaction: never reused), as a station's outbox.
CREATE TABLE outbox (
	seq        INTEGER PRIMARY KEY AUTOINCREMENT,
	uuid       TEXT NOT NULL UNIQUE REFERENCES life_events(uuid),
	created_ms INTEGER NOT NULL
);
