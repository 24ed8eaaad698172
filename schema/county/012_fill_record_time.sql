-- A fill carries what a trace reads of its record (docs/county.md, "A
-- fill carries its record's time"): the record's kind and created_ms,
-- copied by the ingest (tools/county/db.c, store_fill) from the record it
-- has just stored in the same transaction, with the same uuid, station
-- and seq.  A trace then finds each fill by the fill's own index and row
-- and no longer walks the records' B-tree a second time for every fill.
--
-- NULL in both for fills stored before this migration: it fills nothing
-- in (ALTER TABLE ... ADD COLUMN changes the schema only, so it costs the
-- same on a county of 10,000,000 fills as on an empty one), and the trace
-- reads those fills' records as it did before.  The two are set together
-- or not at all; no CHECK here, since SQLite would test one added by
-- ALTER TABLE against every existing row.
ALTER TABLE fills ADD COLUMN record_kind TEXT;
ALTER TABLE fills ADD COLUMN record_created_ms INTEGER;
