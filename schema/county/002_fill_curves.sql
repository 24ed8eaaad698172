-- A fill's weight curve (gateway/lib/curve.h's stored form), sent with the
-- record.  Kept apart from fills so that trace queries over fills stay
-- small; a regulator fetches one curve at a time (GET /trace/curve).
CREATE TABLE fill_curves (
	uuid  TEXT PRIMARY KEY REFERENCES fills(uuid),
	curve BLOB NOT NULL
) WITHOUT ROWID;
