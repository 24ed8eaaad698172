-- The county's register of stations (docs/county.md, "The register of
-- stations"): each licensed station's name, address, township and place,
-- set by the county (gascounty station set), owned by the county library's
-- stations module (tools/county/stations.h).  A registered station's
-- township is the county's: a batch or heartbeat naming another is
-- refused.  A station that is not registered keeps the township it named
-- at its first contact (trust on first use), with a warning in the log.
ALTER TABLE stations ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE stations ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE stations ADD COLUMN lat REAL;                -- WGS84, NULL when not given
ALTER TABLE stations ADD COLUMN lon REAL;
ALTER TABLE stations ADD COLUMN registered_ms INTEGER;   -- NULL: never registered
