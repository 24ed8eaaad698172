-- County database (gascounty): stations, their records, fills and
-- violations, alerts routed to townships, dispositions, the trace audit
-- log, the county registry and station heartbeats.  Documented table by
-- table in docs/county.md.  Dates are 'YYYY-MM-DD' text; instants are Unix
-- ms (UTC).

CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;

-- One row per station that ever spoke (identity station:ID).
CREATE TABLE stations (
	id             TEXT PRIMARY KEY,
	township       TEXT NOT NULL DEFAULT '',
	hwm            INTEGER NOT NULL DEFAULT 0,  -- highest seq with every 1..hwm held
	max_seq        INTEGER NOT NULL DEFAULT 0,  -- highest seq held
	gap_since_ms   INTEGER,                     -- when max_seq first exceeded hwm
	gap_alerted    INTEGER NOT NULL DEFAULT 0,  -- C04 raised for the current gap
	last_seen_ms   INTEGER NOT NULL DEFAULT 0,  -- any request from the station
	silent_alerted INTEGER NOT NULL DEFAULT 0,  -- C03 raised for the current silence
	backlog        INTEGER NOT NULL DEFAULT 0,  -- from the last heartbeat
	status         TEXT NOT NULL DEFAULT '',
	registry_version INTEGER NOT NULL DEFAULT 0,
	created_ms     INTEGER NOT NULL
);

-- Every record a station sent, exactly once: (station, seq) and uuid are
-- both unique, so a retransmitted batch changes nothing.
CREATE TABLE records (
	station     TEXT NOT NULL REFERENCES stations(id),
	seq         INTEGER NOT NULL CHECK (seq > 0),
	uuid        TEXT NOT NULL UNIQUE,
	kind        TEXT NOT NULL CHECK (kind IN ('fill', 'refusal', 'event')),
	created_ms  INTEGER NOT NULL,
	received_ms INTEGER NOT NULL,
	PRIMARY KEY (station, seq)
) WITHOUT ROWID;

CREATE TABLE fills (
	uuid           TEXT PRIMARY KEY REFERENCES records(uuid),
	station        TEXT NOT NULL,
	seq            INTEGER NOT NULL,
	line           INTEGER NOT NULL,
	cylinder       TEXT NOT NULL,
	buyer          TEXT NOT NULL DEFAULT '',     -- HMAC id
	buyer_masked   TEXT NOT NULL DEFAULT '',
	buyer_township TEXT NOT NULL DEFAULT '',
	buyer_kind     TEXT NOT NULL DEFAULT '',
	operator       TEXT NOT NULL DEFAULT '',
	started_ms     INTEGER NOT NULL,
	ended_ms       INTEGER NOT NULL DEFAULT 0,
	tare_kg        REAL NOT NULL DEFAULT 0,
	target_kg      REAL NOT NULL DEFAULT 0,
	preact_kg      REAL NOT NULL DEFAULT 0,
	cutoff_kg      REAL NOT NULL DEFAULT 0,
	gross_kg       REAL NOT NULL DEFAULT 0,
	net_kg         REAL NOT NULL DEFAULT 0,
	result         TEXT NOT NULL
);
CREATE INDEX fills_cylinder ON fills(cylinder, started_ms);
CREATE INDEX fills_buyer ON fills(buyer, started_ms);
CREATE INDEX fills_station ON fills(station, started_ms);
CREATE INDEX fills_buyer_station ON fills(buyer, station, started_ms);

-- Station rules that fired (R..) and county rules (C..).
CREATE TABLE violations (
	uuid         TEXT PRIMARY KEY,
	event        TEXT NOT NULL,                 -- record uuid (fill or event)
	station      TEXT NOT NULL,
	rule         TEXT NOT NULL,
	severity     TEXT NOT NULL,
	township     TEXT NOT NULL DEFAULT '',
	details      TEXT NOT NULL DEFAULT '',
	cylinder     TEXT NOT NULL DEFAULT '',
	buyer        TEXT NOT NULL DEFAULT '',
	buyer_masked TEXT NOT NULL DEFAULT '',
	line         INTEGER NOT NULL DEFAULT 0,
	at_ms        INTEGER NOT NULL
);
CREATE INDEX violations_event ON violations(event);
CREATE INDEX violations_station ON violations(station, at_ms);

-- Alerts routed to a township; id is the county-wide sequence that
-- GET /alerts?since=N follows.  source makes each alert unique (the
-- violation uuid, or a county rule's own key), so reprocessing never
-- raises the same alert twice.
CREATE TABLE alerts (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	source       TEXT NOT NULL UNIQUE,
	rule         TEXT NOT NULL,
	severity     TEXT NOT NULL,
	township     TEXT NOT NULL,
	station      TEXT NOT NULL DEFAULT '',
	cylinder     TEXT NOT NULL DEFAULT '',
	buyer_masked TEXT NOT NULL DEFAULT '',
	text         TEXT NOT NULL,
	at_ms        INTEGER NOT NULL,
	created_ms   INTEGER NOT NULL
);
CREATE INDEX alerts_township ON alerts(township, id);

-- What a township did about an alert; the newest row is the disposition.
CREATE TABLE dispositions (
	id       INTEGER PRIMARY KEY AUTOINCREMENT,
	alert    INTEGER NOT NULL REFERENCES alerts(id),
	note     TEXT NOT NULL,
	identity TEXT NOT NULL,                     -- township:CODE that recorded it
	at_ms    INTEGER NOT NULL
);
CREATE INDEX dispositions_alert ON dispositions(alert, id);

-- Every trace query: who, what, when.
CREATE TABLE audit (
	id       INTEGER PRIMARY KEY AUTOINCREMENT,
	at_ms    INTEGER NOT NULL,
	identity TEXT NOT NULL,
	query    TEXT NOT NULL,                     -- cylinder, buyer, station
	key      TEXT NOT NULL,
	from_ms  INTEGER NOT NULL DEFAULT 0,
	to_ms    INTEGER NOT NULL DEFAULT 0,
	results  INTEGER NOT NULL DEFAULT 0
);

-- The county registry: mutable facts of each cylinder.  version grows with
-- every change so that stations pull deltas (GET /registry?since=V).
CREATE TABLE registry (
	serial          TEXT PRIMARY KEY,
	status          TEXT NOT NULL DEFAULT 'active'
	                CHECK (status IN ('active', 'scrapped', 'retired')),
	last_inspection TEXT NOT NULL DEFAULT '',
	next_inspection TEXT NOT NULL DEFAULT '',
	owner           TEXT NOT NULL DEFAULT '',
	version         INTEGER NOT NULL,
	updated_ms      INTEGER NOT NULL
);
CREATE INDEX registry_version ON registry(version);

-- Station heartbeats as received (the newest also updates stations).
CREATE TABLE heartbeats (
	id               INTEGER PRIMARY KEY AUTOINCREMENT,
	station          TEXT NOT NULL,
	at_ms            INTEGER NOT NULL,
	received_ms      INTEGER NOT NULL,
	backlog          INTEGER NOT NULL,
	oldest_ms        INTEGER NOT NULL,
	last_ack         INTEGER NOT NULL,
	registry_version INTEGER NOT NULL,
	status           TEXT NOT NULL
);
CREATE INDEX heartbeats_station ON heartbeats(station, id);
CREATE INDEX violations_cylinder ON violations(cylinder) WHERE cylinder <> '';
CREATE INDEX violations_buyer ON violations(buyer) WHERE buyer <> '';
