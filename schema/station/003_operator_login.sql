-- Operators prove who they are (docs/fill-line.md, "Operators and shifts";
-- docs/schema.md).  gateway/lib/opauth.c owns both tables.
--
-- An operator's PIN or password is kept only as an Argon2id encoded hash
-- (salt and cost inside the text).  failures counts the wrong PINs since the
-- last good one; after OPAUTH_MAX_FAILURES the operator is locked out until
-- locked_until_ms, and only a station administrator setting a new PIN lifts
-- it sooner.
CREATE TABLE operator_credentials (
	cert            TEXT PRIMARY KEY REFERENCES operators(cert),
	hash            TEXT NOT NULL,
	failures        INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
	locked_until_ms INTEGER NOT NULL DEFAULT 0,
	set_ms          INTEGER NOT NULL
);

-- One row per shift: an operator logged in on a line, from the login that
-- proved who they were to its end (logout, the shift's time running out,
-- another operator logging in on the line, or gasgw stopping).
CREATE TABLE shifts (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	line       INTEGER NOT NULL,
	operator   TEXT NOT NULL REFERENCES operators(cert),
	started_ms INTEGER NOT NULL,
	ended_ms   INTEGER,
	ended_by   TEXT CHECK (ended_by IN ('logout', 'time', 'replaced', 'stop'))
);
CREATE INDEX shifts_open ON shifts(ended_ms);
