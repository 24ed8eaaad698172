-- A station's heartbeats, at most one a minute (docs/county.md,
-- "Heartbeats: one a minute, kept heartbeat_keep_days").  Until now every
-- heartbeat was a row, so a station holding a real key could add rows
-- without end by sending them as fast as the county answers.  Nothing
-- the county shows reads this table: the station list, the console, C03
-- and C14 read the station's own row (last contact, backlog, status,
-- clock), which each heartbeat updates.  What is kept here is the history
-- a regulator may look into by hand: the newest heartbeat of each minute
-- of the county's clock (slot = received_ms / 60000, db.h
-- COUNTY_HEARTBEAT_SLOT_MS, never the station's clock), replaced in place
-- by a later one of the same minute, and dropped by the sweep once older
-- than heartbeat_keep_days.
--   slot   the minute the heartbeat arrived in, by the county's clock
-- Rows held before are carried over the same way: the newest of each
-- station's minute (the one with the highest id).
CREATE TABLE heartbeats_by_minute (
	id               INTEGER PRIMARY KEY,
	station          TEXT NOT NULL,
	slot             INTEGER NOT NULL,
	at_ms            INTEGER NOT NULL,
	received_ms      INTEGER NOT NULL,
	backlog          INTEGER NOT NULL,
	oldest_ms        INTEGER NOT NULL,
	last_ack         INTEGER NOT NULL,
	registry_version INTEGER NOT NULL,
	status           TEXT NOT NULL,
	UNIQUE (station, slot)
);
INSERT INTO heartbeats_by_minute (station, slot, at_ms, received_ms, backlog, oldest_ms,
                                  last_ack, registry_version, status)
SELECT station, received_ms / 60000, at_ms, received_ms, backlog, oldest_ms, last_ack,
       registry_version, status
  FROM heartbeats
 WHERE id IN (SELECT max(id) FROM heartbeats GROUP BY station, received_ms / 60000)
 ORDER BY id;
DROP TABLE heartbeats;
ALTER TABLE heartbeats_by_minute RENAME TO heartbeats;
-- the sweep drops the oldest minutes first
CREATE INDEX heartbeats_slot ON heartbeats(slot);
