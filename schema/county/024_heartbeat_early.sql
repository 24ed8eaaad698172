-- A heartbeat too soon after the last one the county wrote for its station
-- (within heartbeat_min_s, docs/county.md "Heartbeats: one a minute, one
-- commit a floor") is answered without a write, unless what it says matters
-- at once (its status beyond the backlog, its registry version, the clock's
-- verdict): that one is written early, but at most one early write a floor,
-- so that a station flipping its status at each heartbeat still costs the
-- county's disk two commits a floor, not one a heartbeat.
--   heartbeat_early_ms  the county's clock at the station's last early
--                       write (0: none)
ALTER TABLE stations ADD COLUMN heartbeat_early_ms INTEGER NOT NULL DEFAULT 0;
