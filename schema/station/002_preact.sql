-- What each fill line has learnt of its pre-act, kept across restarts
-- (docs/fill-line.md, "Cut-off"; docs/schema.md).  One row per fill that
-- taught its line: the in-flight mass, the net weight that still arrived
-- after the close command.  The line's pre-act is the median of its newest
-- samples; records.c keeps the newest 8 of each line, in the transaction
-- that completes the fill.
CREATE TABLE preact_samples (
	fill        TEXT PRIMARY KEY REFERENCES fills(uuid),
	line        INTEGER NOT NULL,
	inflight_kg REAL NOT NULL CHECK (inflight_kg >= 0),
	at_ms       INTEGER NOT NULL           -- when the fill ended
);
CREATE INDEX preact_samples_line ON preact_samples(line);
