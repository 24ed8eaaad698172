-- How much one person's or township's key has written to the county in its
-- current 24-hour window (tools/county/writequota.c): case steps and
-- alert dispositions together, and bytes of new evidence.  Beyond the
-- county's person_writes_day_max or person_evidence_day_mb the next write
-- is answered 4.29 (429 in the console), stored nowhere, until the window
-- ends, and C18 is raised to the county's queue once a window.  One row
-- per identity that ever wrote.
CREATE TABLE write_quota (
	identity TEXT PRIMARY KEY,
	since_ms INTEGER NOT NULL,           -- the window's start (the county's clock)
	writes   INTEGER NOT NULL DEFAULT 0, -- case steps and dispositions stored in it
	bytes    INTEGER NOT NULL DEFAULT 0, -- evidence bytes stored in it
	alerted  INTEGER NOT NULL DEFAULT 0  -- C18 raised in it
) WITHOUT ROWID;
