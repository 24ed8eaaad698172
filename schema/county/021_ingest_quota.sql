-- How many records one source (a station, a delivery device) has had
-- stored in its current 24-hour window (tools/county/quota.c): beyond the
-- county's records_day_max its batches are answered 5.03, stored nowhere,
-- until the window ends.  One row per source that ever sent a batch.
CREATE TABLE ingest_quota (
	source   TEXT PRIMARY KEY,
	since_ms INTEGER NOT NULL,           -- the window's start (the county's clock)
	stored   INTEGER NOT NULL DEFAULT 0, -- records stored in it
	alerted  INTEGER NOT NULL DEFAULT 0  -- C16 raised in it
) WITHOUT ROWID;
