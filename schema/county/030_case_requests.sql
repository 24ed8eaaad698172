-- The request keys (`rid`) of case requests (tools/county/cases.c): a
-- person's POST /cases/step, /cases/report or /cases/reassign that carries
-- a rid is remembered with what it did, written in the same transaction as
-- the step or the case, so that the same request sent again (libcoap does
-- not de-duplicate a retransmitted confirmable request; a phone retries
-- after a lost answer; a console form is submitted twice) answers as the
-- first did and stores nothing.  Keyed by identity: another person's rid
-- never matches.  A row is kept CASES_RID_KEEP_MS (7 days) and then
-- forgotten, a few at each new request, so that the table stays small.
CREATE TABLE case_requests (
	identity TEXT NOT NULL,    -- who sent it (the DTLS or console identity)
	rid      TEXT NOT NULL,    -- the request's key: 16..64 of [A-Za-z0-9_-]
	action   TEXT NOT NULL,    -- report, reassign, or the step (accept ... attach)
	case_id  INTEGER NOT NULL, -- the case it made or named
	step_id  INTEGER NOT NULL DEFAULT 0, -- the step it added (0: none)
	at_ms    INTEGER NOT NULL, -- when (the county's clock)
	PRIMARY KEY (identity, rid)
) WITHOUT ROWID;
CREATE INDEX case_requests_at ON case_requests (at_ms);
