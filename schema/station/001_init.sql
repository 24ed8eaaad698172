-- Station database (gasgw): registry copy, operators, buyers, fills,
-- violations and the uplink outbox.  Documented table by table in
-- docs/schema.md.  Dates are 'YYYY-MM-DD' text; instants are Unix ms (UTC).

CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE operators (
	cert       TEXT PRIMARY KEY,           -- operator certificate number
	name       TEXT NOT NULL,
	expires    TEXT NOT NULL,              -- certificate expiry, YYYY-MM-DD
	active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
	created_ms INTEGER NOT NULL
);

CREATE TABLE cylinders (
	serial           TEXT PRIMARY KEY,     -- manufacturer's stamped serial
	code             TEXT,                 -- signed code as printed on the label
	model            TEXT NOT NULL,        -- YSP4.7, YSP12, YSP26.2, YSP35.5, YSP118
	manufactured     TEXT NOT NULL,        -- YYYY-MM-DD (day 01 when only the month is known)
	tare_kg          REAL NOT NULL CHECK (tare_kg > 0),
	fill_kg          REAL NOT NULL CHECK (fill_kg > 0),  -- stamped allowable fill mass
	owner            TEXT NOT NULL,        -- owning (or entrusted) company
	last_inspection  TEXT,                 -- YYYY-MM-DD
	next_inspection  TEXT,                 -- YYYY-MM-DD, from the registry's cycle
	status           TEXT NOT NULL DEFAULT 'active'
	                 CHECK (status IN ('active', 'scrapped', 'retired')),
	registry_version INTEGER NOT NULL DEFAULT 0,
	updated_ms       INTEGER NOT NULL
);

CREATE TABLE buyers (
	id         TEXT PRIMARY KEY,           -- hex HMAC-SHA256(county buyer key, number)
	masked     TEXT NOT NULL,              -- 330***********1234: never the raw number
	kind       TEXT NOT NULL CHECK (kind IN ('household', 'business')),
	township   TEXT NOT NULL,              -- township code of the registered address
	address    TEXT NOT NULL DEFAULT '',
	created_ms INTEGER NOT NULL
);

-- One row per fill.  The row is inserted (result 'filling') and committed
-- before the valve may open (docs/design.md, invariant V1) and completed in the
-- transaction that also writes its violations and its outbox row.
CREATE TABLE fills (
	uuid        TEXT PRIMARY KEY,
	station     TEXT NOT NULL,
	line        INTEGER NOT NULL,
	cylinder    TEXT NOT NULL REFERENCES cylinders(serial),
	buyer       TEXT REFERENCES buyers(id),
	operator    TEXT REFERENCES operators(cert),
	started_ms  INTEGER NOT NULL,
	ended_ms    INTEGER,
	tare_kg     REAL NOT NULL,             -- measured empty weight on the scale
	target_kg   REAL NOT NULL,             -- net target (stamped allowable fill mass)
	preact_kg   REAL,                      -- pre-act used for the cut-off
	cutoff_kg   REAL,                      -- net weight when the close was commanded
	gross_kg    REAL,                      -- check-weighed gross
	net_kg      REAL,                      -- gross - tare
	result      TEXT NOT NULL DEFAULT 'filling'
	            CHECK (result IN ('filling', 'ok', 'flagged', 'held', 'interrupted', 'emergency')),
	curve       BLOB                       -- weight samples (docs/schema.md)
);
CREATE INDEX fills_cylinder ON fills(cylinder, started_ms);
CREATE INDEX fills_buyer ON fills(buyer, started_ms);
CREATE INDEX fills_started ON fills(started_ms);

-- A rule that fired.  `event` groups the violations of one fill (the fill's
-- uuid) or of one refusal or incident (a uuid of its own).
CREATE TABLE violations (
	uuid     TEXT PRIMARY KEY,
	event    TEXT NOT NULL,
	rule     TEXT NOT NULL CHECK (rule GLOB 'R[0-9][0-9]'),
	severity TEXT NOT NULL CHECK (severity IN ('flag', 'refuse', 'alert', 'critical')),
	township TEXT NOT NULL,                -- township the alert is routed to
	fill     TEXT REFERENCES fills(uuid),
	line     INTEGER,
	cylinder TEXT,                         -- serial, when known
	buyer    TEXT,                         -- buyer id (HMAC), when known
	operator TEXT,
	details  TEXT NOT NULL,                -- a sentence a person understands
	at_ms    INTEGER NOT NULL
);
CREATE INDEX violations_event ON violations(event);

-- Records waiting for the county.  seq is the station's record sequence
-- (gap-free: assigned only by committed transactions, never reused);
-- a row is deleted only when the county's high-water mark covers it.
CREATE TABLE outbox (
	seq        INTEGER PRIMARY KEY AUTOINCREMENT,
	uuid       TEXT NOT NULL UNIQUE,       -- the fill uuid, or the event uuid
	kind       TEXT NOT NULL CHECK (kind IN ('fill', 'refusal', 'event')),
	created_ms INTEGER NOT NULL
);
