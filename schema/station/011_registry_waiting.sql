-- The county's word for a cylinder the station does not hold yet.  A
-- registry pull (registry_apply_delta) cannot create a cylinder (it has no
-- model or tare here), yet the station's registry_version moves past the
-- row, and the county serves only rows with a later version: its scrap or
-- retirement would never come again.  So the pull keeps each such row here,
-- in its own transaction, the newest over an older one; a later `gasctl
-- registry import` that adds the cylinder takes the county's status where
-- it is stricter than the file's, its inspection dates and owner, notes it
-- as pulled (cylinders.pulled_status, pulled_ms: migration 008), and
-- removes the row here.  A row stays here only while its serial is not in
-- cylinders.
CREATE TABLE registry_waiting (
	serial           TEXT PRIMARY KEY,
	status           TEXT NOT NULL,       -- active, scrapped, retired
	last_inspection  TEXT,                -- YYYY-MM-DD, NULL: none given
	next_inspection  TEXT,
	owner            TEXT,                -- NULL: none given (the file's stands)
	registry_version INTEGER NOT NULL,    -- the county's version of the row
	pulled_ms        INTEGER NOT NULL     -- when the station pulled it
) WITHOUT ROWID;

-- The inspection dates of the county's last pull of a row the station holds
-- (registry_apply_delta, or the waiting row the import took), NULL: none
-- given, or pulled before this migration (not known: an import may have
-- rewritten the row since).  An import does not move a cylinder's dates
-- back before them: a company's file older than the county's word keeps
-- the county's last and next inspection (docs/registry.md).
ALTER TABLE cylinders ADD COLUMN pulled_last_inspection TEXT;
ALTER TABLE cylinders ADD COLUMN pulled_next_inspection TEXT;
