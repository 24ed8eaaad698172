-- A cylinder's life outside the filling line (docs/county.md, "A
-- cylinder's life"): every life event a station or a delivery device sent
-- (a record of kind "life"), exactly once (uuid), owned by the county
-- library's life module (tools/county/life.h), which stores an event and
-- runs the county rules over the life (C07..C11) in one transaction.
-- Instants are Unix ms (UTC); dates 'YYYY-MM-DD'.
CREATE TABLE life_events (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	source         TEXT NOT NULL,               -- station id, or delivery:NAME@TOWNSHIP
	seq            INTEGER NOT NULL,            -- in the source's own seq space
	uuid           TEXT NOT NULL UNIQUE,
	event          TEXT NOT NULL CHECK (event IN ('dispatched', 'received', 'handed_over',
	               'returned', 'inspection_out', 'inspection_back', 'scrapped')),
	serial         TEXT NOT NULL,
	code           TEXT NOT NULL DEFAULT '',    -- the signed code as scanned
	actor          TEXT NOT NULL DEFAULT '',    -- operator or delivery identity
	worker         TEXT NOT NULL DEFAULT '',    -- delivery worker it went to / came from
	buyer          TEXT NOT NULL DEFAULT '',    -- household HMAC id
	buyer_masked   TEXT NOT NULL DEFAULT '',
	buyer_township TEXT NOT NULL DEFAULT '',
	buyer_kind     TEXT NOT NULL DEFAULT '',    -- household, business, ''
	village        TEXT NOT NULL DEFAULT '',
	lat            REAL,
	lon            REAL,
	result         TEXT NOT NULL DEFAULT '' CHECK (result IN ('', 'pass', 'fail')),
	next_due       TEXT NOT NULL DEFAULT '',    -- inspection_back
	reason         TEXT NOT NULL DEFAULT '',    -- scrapped
	at_ms          INTEGER NOT NULL,            -- when it happened (the device's clock)
	stored_ms      INTEGER NOT NULL             -- when the county stored it
);
CREATE INDEX life_events_serial ON life_events(serial, at_ms);
CREATE INDEX life_events_buyer ON life_events(buyer, event, at_ms) WHERE buyer <> '';
-- a source's seq space (a station's life records share its gap-free seq)
CREATE INDEX life_events_source ON life_events(source, seq);

-- What the sweep still has to judge, with the instant it is due, so that
-- the sweep reads only what is pending:
--   C08: a dispatch not yet followed by a hand-over, a return or any later
--        step of the same cylinder (a later event removes it);
--   C07: a hand-over or return with no licensed fill found yet, judged
--        again when its grace (c07_grace_min) has run out.
-- The sweep raises the rule for each row still due and removes it.
CREATE TABLE life_pending (
	uuid     TEXT PRIMARY KEY,                  -- the life event
	rule     TEXT NOT NULL CHECK (rule IN ('C07', 'C08')),
	serial   TEXT NOT NULL,
	at_ms    INTEGER NOT NULL,
	due_ms   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX life_pending_due ON life_pending(due_ms);
CREATE INDEX life_pending_serial ON life_pending(serial, at_ms);

-- A life event changes the registry too (inspection_back: the inspection
-- dates; scrapped: the status), and that change is history like any other:
-- registry_history gains the source 'life' (the actor is the event's
-- source, the detail the event's uuid).  SQLite cannot change a CHECK in
-- place, so the table is made again with every row it held.
CREATE TABLE registry_history_new (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	serial          TEXT NOT NULL,
	version         INTEGER NOT NULL,
	status          TEXT NOT NULL,
	last_inspection TEXT NOT NULL,
	next_inspection TEXT NOT NULL,
	owner           TEXT NOT NULL,
	changed_ms      INTEGER NOT NULL,
	source          TEXT NOT NULL
	                CHECK (source IN ('set', 'import', 'before-history', 'life')),
	actor           TEXT NOT NULL,
	detail          TEXT NOT NULL DEFAULT ''
);
INSERT INTO registry_history_new SELECT id, serial, version, status, last_inspection,
	next_inspection, owner, changed_ms, source, actor, detail FROM registry_history ORDER BY id;
DROP TABLE registry_history;
ALTER TABLE registry_history_new RENAME TO registry_history;
CREATE INDEX registry_history_serial ON registry_history(serial, id);
