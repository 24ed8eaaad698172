-- History, not overwrite (docs/registry.md, "History at the county"): every
-- change of a cylinder's registry facts (status, last and next inspection,
-- owner) is kept as a row holding the facts after the change, with who or
-- what made it and when, written in the same transaction as the change
-- itself.  The registry row stays the current state that stations pull.
CREATE TABLE registry_history (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	serial          TEXT NOT NULL,
	version         INTEGER NOT NULL,           -- the registry version it made
	status          TEXT NOT NULL,
	last_inspection TEXT NOT NULL,
	next_inspection TEXT NOT NULL,
	owner           TEXT NOT NULL,
	changed_ms      INTEGER NOT NULL,
	source          TEXT NOT NULL
	                CHECK (source IN ('set', 'import', 'before-history')),
	actor           TEXT NOT NULL,              -- the account that ran the command
	detail          TEXT NOT NULL DEFAULT ''    -- e.g. the CSV file and line
);
CREATE INDEX registry_history_serial ON registry_history(serial, id);

-- What the registry held when history began: one row per cylinder, so a
-- timeline starts from a known state.
INSERT INTO registry_history (serial, version, status, last_inspection, next_inspection, owner,
	changed_ms, source, actor)
SELECT serial, version, status, last_inspection, next_inspection, owner, updated_ms,
	'before-history', ''
FROM registry ORDER BY version;
