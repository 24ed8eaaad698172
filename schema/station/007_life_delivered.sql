-- When the county took each of the station's life events: the moment its
-- outbox row went (records_outbox_trim and records_outbox_delivered, whose
-- marks the county returns only after its commit), NULL while it waits or
-- is set aside.  A scrap or a failed inspection recorded here keeps the
-- valve shut until the county's registry says active in a row written
-- after this (records_life_stopped): a row written before, from a registry
-- delta the county served before it had the event, says nothing of it.
ALTER TABLE life_events ADD COLUMN delivered_ms INTEGER;
-- The events the county took before this migration: when is not known.
-- Their own time is the earliest it can have been, so a registry row
-- written since the event (the county's word after it, as a rule) lifts
-- them and one written before does not: a station's old scraps of
-- cylinders the county never changed keep the valve shut from now on.
UPDATE life_events SET delivered_ms = at_ms WHERE uuid NOT IN (SELECT uuid FROM outbox);
