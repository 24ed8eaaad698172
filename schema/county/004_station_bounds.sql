-- What a station cannot do (docs/county.md): silence, forge or misroute an
-- alert, or change a record the county holds without the county noticing.

-- The county's own keys live apart from anything a station can send: a
-- county rule's violation uuid and alert source begin with 'county:' and
-- are made of facts the county holds (the station's DTLS identity, the
-- record's seq, the station's mark); a station's uuids must be UUIDs,
-- which never hold a ':', and its alerts are keyed 'station:ID:UUID'.
-- Keys written before this migration move into their namespace.
UPDATE alerts SET source = 'county:' || source
 WHERE rule IN ('C01', 'C02', 'C03', 'C04') AND substr(source, 1, 4) = rule || ':';
UPDATE violations SET uuid = 'county:' || uuid
 WHERE rule IN ('C01', 'C02', 'C03', 'C04') AND substr(uuid, 1, 4) = rule || ':';
-- a station's alert is keyed 'station:ID:<violation uuid>', its own namespace
UPDATE alerts SET source = 'station:' || station || ':' || source
 WHERE substr(source, 1, 7) <> 'county:';

-- SHA-256 of each record as the station sent it (every field the county
-- keeps, in a fixed order: db.c record_digest), to tell a retransmission
-- from a conflicting resend.  NULL for records stored before this
-- migration.
ALTER TABLE records ADD COLUMN digest TEXT;

-- Every resend that did not match what the county holds: the same
-- (station, seq) with other content, or a uuid the station already used
-- for another seq.  The first copy stays; each different version sent is
-- recorded once, with the session it came on, and raises a C06 alert to
-- the county (township 'county').
CREATE TABLE conflicts (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	station     TEXT NOT NULL,
	seq         INTEGER NOT NULL,          -- the seq the resend named
	held_seq    INTEGER NOT NULL,          -- the seq of the copy held (another for a reused uuid)
	held_uuid   TEXT NOT NULL,
	held_digest TEXT NOT NULL DEFAULT '',  -- '' for a record stored before 004
	sent_uuid   TEXT NOT NULL,
	sent_digest TEXT NOT NULL,
	session     TEXT NOT NULL,             -- identity and address of the DTLS session
	at_ms       INTEGER NOT NULL,
	UNIQUE (station, seq, sent_digest)
);
CREATE INDEX conflicts_station ON conflicts(station, seq);

-- Each buyer's township as first registered in this county (a township the
-- county knows): buyer alerts (R11, C02) go there, whatever a later record
-- claims.
CREATE TABLE buyers (
	id       TEXT PRIMARY KEY,               -- HMAC id
	township TEXT NOT NULL,
	station  TEXT NOT NULL,                  -- the station whose record registered it
	first_ms INTEGER NOT NULL
) WITHOUT ROWID;
