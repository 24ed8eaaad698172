-- How many of a station's seqs the county holds (stations.held): its
-- records and its life events, each seq once, what the county's answers
-- say as `held` (docs/protocol.md, "ack").  Before (review rev101) every
-- heartbeat counted the rows above the station's mark, and behind a
-- record the station set aside the mark stays, so that count grew with
-- the station's history.  Kept by the triggers below, in the transaction
-- that stores or deletes the row, whatever code writes it; computed here
-- for the records a database holds already (an old one, or one restored
-- from a backup of before).  A station's life events share its seqs
-- (life_events.source); a delivery device's have no stations row and
-- change nothing.  No code changes a stored row's seq or station.
ALTER TABLE stations ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
UPDATE stations SET held = (SELECT count(*) FROM (SELECT seq FROM records WHERE station =
	stations.id UNION SELECT seq FROM life_events WHERE source = stations.id));
CREATE TRIGGER records_held AFTER INSERT ON records
	WHEN NOT EXISTS (SELECT 1 FROM life_events WHERE source = NEW.station AND seq = NEW.seq)
BEGIN
	UPDATE stations SET held = held + 1 WHERE id = NEW.station;
END;
CREATE TRIGGER life_events_held AFTER INSERT ON life_events
	WHEN NOT EXISTS (SELECT 1 FROM records WHERE station = NEW.source AND seq = NEW.seq)
	 AND NOT EXISTS (SELECT 1 FROM life_events WHERE source = NEW.source AND seq = NEW.seq
	                 AND id <> NEW.id)
BEGIN
	UPDATE stations SET held = held + 1 WHERE id = NEW.source;
END;
CREATE TRIGGER records_unheld AFTER DELETE ON records
	WHEN NOT EXISTS (SELECT 1 FROM life_events WHERE source = OLD.station AND seq = OLD.seq)
BEGIN
	UPDATE stations SET held = held - 1 WHERE id = OLD.station;
END;
CREATE TRIGGER life_events_unheld AFTER DELETE ON life_events
	WHEN NOT EXISTS (SELECT 1 FROM records WHERE station = OLD.source AND seq = OLD.seq)
	 AND NOT EXISTS (SELECT 1 FROM life_events WHERE source = OLD.source AND seq = OLD.seq)
BEGIN
	UPDATE stations SET held = held - 1 WHERE id = OLD.source;
END;
