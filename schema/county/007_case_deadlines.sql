-- Deadlines fixed when a case opens, and how a report was routed
-- (docs/county.md, "Cases").  A case's deadlines are computed once, from
-- the county's deadlines per kind and severity and its calendar of working
-- days (catalogue.h), when it opens (again when a critical alert makes it
-- critical), so that a later change of the rules or the calendar does not
-- move a deadline an officer was already given.  0: not computed yet (a
-- case opened before this migration: the cases module fills it from the
-- case_*_min settings, once).  Owned by tools/county/cases.h.

ALTER TABLE cases ADD COLUMN accept_due_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN onsite_due_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN close_due_ms INTEGER NOT NULL DEFAULT 0;
-- a report's route: 'map' (its coordinates lie in the township's
-- boundary) or 'village' (the village list); '' for an alert's case
ALTER TABLE cases ADD COLUMN routed_by TEXT NOT NULL DEFAULT '';
