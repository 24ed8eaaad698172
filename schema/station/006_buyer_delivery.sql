-- A delivery company registered as a buyer (gasctl buyers add --delivery):
-- it buys at the counter for the households it serves (送气到户), so its
-- fills are not one household's hoarding.  Rule R11 does not count them
-- (docs/rules.md); its fills go to the county with the buyer kind
-- 'delivery', which the county's C02 exempts too, and the households are
-- counted at the door from the hand-overs (the county's C09).
ALTER TABLE buyers ADD COLUMN delivery INTEGER NOT NULL DEFAULT 0 CHECK (delivery IN (0, 1));
