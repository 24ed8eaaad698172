-- A station's clock as the county last measured it (docs/county.md, C14):
-- the records' times, the station's date rules (R05-R07) and C13's order
-- all rest on it.  Each heartbeat says when the station made it ("at");
-- the county compares that with its own clock as the heartbeat arrives.
--   clock_skew_ms   the last heartbeat's "at" less the county's clock (ms;
--                   > 0: the station's clock is ahead), saturated at the
--                   int64 bounds; NULL until the station's first heartbeat
--                   after this version
--   clock_alerted   1 while a wrong clock's episode lasts: set when the skew
--                   exceeds c14_clock_skew_s, cleared only once it is back
--                   within half of that, so a clock hovering at the bound
--                   raises no alert per heartbeat
--   clock_alert_ms  when the county last raised C14 for the station (0:
--                   never): an episode starting within an hour of it
--                   raises none (a clock, or a station, flipping between
--                   right and wrong at each heartbeat is one alert an hour)
ALTER TABLE stations ADD COLUMN clock_skew_ms INTEGER;
ALTER TABLE stations ADD COLUMN clock_alerted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stations ADD COLUMN clock_alert_ms INTEGER NOT NULL DEFAULT 0;
