-- A bound on what conflicting resends can store (docs/county.md, "A resend
-- is compared"): a source's versions of one record it holds, and its
-- versions of records other sources hold all together, are kept up to
-- COUNTY_CONFLICT_VERSIONS_MAX (db.h) each; a version beyond it stores
-- nothing.  Until now every new version sent stored a row here, a C06 alert
-- and a case step, without end.
--   held_elsewhere  the source that holds the copy, when it is not the one
--                   that sent this version (a uuid another station or
--                   device holds); '' when the copy is the sender's own, and
--                   in every row from before this version (counted under
--                   their held_uuid, which is what they were)
ALTER TABLE conflicts ADD COLUMN held_elsewhere TEXT NOT NULL DEFAULT '';
CREATE INDEX conflicts_versions ON conflicts(station, held_elsewhere, held_uuid);
