-- C15 (life.c): how many cylinders one station took out of service (a
-- scrap, a failed inspection) in the last 24 hours, counted at each such
-- event.  A partial index: these are a small part of the life events, and
-- the count must not read a station's whole history.
CREATE INDEX life_events_outs ON life_events(source, stored_ms)
    WHERE event = 'scrapped' OR (event = 'inspection_back' AND result = 'fail');
