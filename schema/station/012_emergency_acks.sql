-- R23 emergencies acknowledged (docs/fill-line.md, "Settling and
-- check-weigh"; docs/rules.md; docs/schema.md).
-- An emergency's violation row says it was raised; this row says someone
-- acknowledged it (`gasctl stop LINE`): one row per acknowledgement, with
-- the newest R23 violation of the line it covers (violations.rowid; no
-- violation row is ever deleted).  At start-up a line whose newest R23 is
-- later than its newest acknowledgement starts in emergency, as it was.
-- The emergencies raised before this migration are taken as acknowledged:
-- the gateway before it forgot them at every restart, and locking every line
-- that ever had one would lock lines somebody has long looked at.
CREATE TABLE emergency_acks (
	id        INTEGER PRIMARY KEY AUTOINCREMENT,
	line      INTEGER NOT NULL,
	violation INTEGER NOT NULL,     -- the newest R23 of the line it covers (rowid)
	at_ms     INTEGER NOT NULL
);
CREATE INDEX emergency_acks_line ON emergency_acks(line);
INSERT INTO emergency_acks (line, violation, at_ms)
	SELECT line, max(rowid), max(at_ms) FROM violations
	WHERE rule = 'R23' AND line IS NOT NULL GROUP BY line;
