-- Traces come in pages (docs/protocol.md, trace): each answer holds at most
-- max_trace records in time order and names the cursor to go on from.
-- The audit log keeps, for every page a regulator read, the cursor it
-- started after ('' for the first page), so that "who saw what" stays
-- exact when an export takes many pages.
ALTER TABLE audit ADD COLUMN after TEXT NOT NULL DEFAULT '';

-- A station's refusals and other events by time (its fills have their own
-- index, fills_station): a station trace of one day no longer reads every
-- record the station ever sent.  Partial, so fills cost nothing more.
CREATE INDEX records_station_time ON records(station, created_ms) WHERE kind <> 'fill';
