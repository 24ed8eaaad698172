-- C15 (life.c): how many cylinders one station took out of service (a
-- scrap or a failed inspection that changed the registry's status to
-- scrapped) in the last 24 hours, counted at each such event.  took_out
-- marks the events that did: a scrap of a cylinder scrapped already, or of
-- one the registry does not hold, and a failed return older than the
-- inspection held change nothing and count nothing.  A partial index:
-- they are a small part of the life events, and the count must not read a
-- station's whole history.
ALTER TABLE life_events ADD COLUMN took_out INTEGER NOT NULL DEFAULT 0;
CREATE INDEX life_events_outs ON life_events(source, stored_ms) WHERE took_out = 1;

-- A scrap C15 held back, as the scrapping station is told: the registry
-- is left as it was for every other station, but the station that
-- scrapped the cylinder is served it as scrapped (county_registry_since),
-- so that no later change of the row (an inspection, an owner) reads to
-- it as the county's "active" and lifts its own stop of the valve
-- (gasgw records_life_stopped).  Until the county decides: gascounty
-- registry set SERIAL --status ... removes the cylinder's holds.
CREATE TABLE registry_holds (
	serial TEXT NOT NULL,
	source TEXT NOT NULL,    -- the station whose scrap was held back
	event  INTEGER NOT NULL, -- its life_events row
	at_ms  INTEGER NOT NULL, -- when (the county's clock)
	PRIMARY KEY (serial, source)
) WITHOUT ROWID;
