-- A delivery device's mark (docs/county.md, "A delivery device's mark"):
-- the largest N such that the device's life events with seqs 1..N are all
-- held, what the county answers the device with (hwm) and what bounds the
-- seqs of its next batch (max_seq_jump).  Before, the ingest found it by
-- walking every seq the device ever sent, twice per batch; over years a
-- device holds thousands.  Owned by tools/county/lifeingest.h: the ingest
-- advances it in the transaction that stores the events (a gap keeps it
-- until the gap is filled), and a read takes the row and the seqs held just
-- beyond it (none, once the ingest has advanced it).  A station's mark
-- stays in stations.hwm; only delivery identities have a row here.
CREATE TABLE delivery_marks (
	source TEXT PRIMARY KEY,                    -- delivery:NAME@TOWNSHIP
	hwm    INTEGER NOT NULL CHECK (hwm >= 0)    -- every seq 1..hwm held
) WITHOUT ROWID;

-- The devices that already sent events get their mark by the same rule:
-- 0 unless seq 1 is held, else the first held seq whose next is not held
-- (the end of the run that starts at 1).  A seq is never below 1 (the
-- ingest refuses it), and several rows at one seq count as one.
INSERT INTO delivery_marks (source, hwm)
SELECT d.source,
	CASE WHEN EXISTS (SELECT 1 FROM life_events o WHERE o.source = d.source AND o.seq = 1)
	THEN (SELECT min(a.seq) FROM life_events a WHERE a.source = d.source AND a.seq >= 1
		AND NOT EXISTS (SELECT 1 FROM life_events n
			WHERE n.source = a.source AND n.seq = a.seq + 1))
	ELSE 0 END
FROM (SELECT DISTINCT source FROM life_events WHERE substr(source, 1, 9) = 'delivery:') d;
