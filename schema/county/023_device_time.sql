-- A delivery device's event time (docs/county.md, "A delivery device's
-- clock", C17).  The time a life event carries (at_ms) is its source's
-- word: a device that back-dates a hand-over to just after the cylinder's
-- last licensed fill keeps C07 quiet, and hand-overs spread into the past
-- escape C09's window.  So the rules judge each event at rule_ms: for a
-- delivery device, its at_ms bounded below by its previous event (by seq,
-- less a few minutes) and by life_max_delay_h before the county received
-- it, and above by when it was received; for a station, its at_ms (C14
-- watches a station's clock).  at_ms stays exactly as sent: traces read
-- back the device's word.  The events held before keep their at_ms as
-- their rule time.
ALTER TABLE life_events ADD COLUMN rule_ms INTEGER NOT NULL DEFAULT 0;
UPDATE life_events SET rule_ms = at_ms;
-- what C07 and C09 read, by the rule time
CREATE INDEX life_events_serial_rule ON life_events(serial, rule_ms);
CREATE INDEX life_events_buyer_rule ON life_events(buyer, event, rule_ms) WHERE buyer <> '';

-- When C17 was last raised for the device (the county's clock; 0: never):
-- at most once per device in 24 hours.  Written by the life module
-- (tools/county/life.c); a device with no mark yet gets a row with hwm 0,
-- which reads as no mark.
ALTER TABLE delivery_marks ADD COLUMN c17_ms INTEGER NOT NULL DEFAULT 0;
