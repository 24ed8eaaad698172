-- Where a row of the station's copy of the registry last came from.  A
-- local `gasctl registry import` (a company's file, perhaps older than a
-- scrap) writes cylinders as the county's pull does, so its updated_ms
-- cannot tell them apart; the local stop of R04 (records_life_stopped) is
-- lifted only by the county's word written after it took the event.  So
-- each pull of a row (registry_apply_delta) notes what the county said and
-- when: pulled_status and pulled_ms, which no import writes.
ALTER TABLE cylinders ADD COLUMN pulled_status TEXT;
ALTER TABLE cylinders ADD COLUMN pulled_ms INTEGER;
-- The rows before this migration: a row whose last write carried a county
-- registry version came from a pull (an import without --version sets the
-- version 0 on every row it changes), at a station that ever pulled one
-- (meta registry_version: only a pull writes it; an import --version N
-- alone does not make its rows the county's); the rest are taken as
-- imported, so a stop an import lifted before this migration stands again.
UPDATE cylinders SET pulled_status = status, pulled_ms = updated_ms
 WHERE registry_version > 0 AND EXISTS (SELECT 1 FROM meta WHERE key = 'registry_version');

-- A scrap undone on purpose at a station with no county (`gasctl registry
-- reinstate`): who (the operator's certificate and the system user who
-- ran the command), when and why.  It sets the station's copy active again
-- when it said scrapped, and lifts this station's own scraps and failed
-- inspections of the cylinder recorded up to the life_events row lifts_id
-- (the newest of them when it was made; records_life_stopped): one
-- recorded after it stands, whatever time its clock gave it.
-- gateway/lib/registry.c writes it; records.c reads it for R04.
CREATE TABLE reinstatements (
	id          INTEGER PRIMARY KEY,
	serial      TEXT NOT NULL,
	actor       TEXT NOT NULL,          -- operator certificate
	login       TEXT NOT NULL,          -- the system user who ran gasctl
	reason      TEXT NOT NULL,
	was_status  TEXT NOT NULL,          -- the copy's status before
	lifts_id    INTEGER,                -- life_events row of the newest stop lifted, NULL: none
	at_ms       INTEGER NOT NULL
);
CREATE INDEX reinstatements_serial ON reinstatements(serial, lifts_id);
