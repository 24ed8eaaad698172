-- Cases (docs/county.md, "Cases"): what a township does about alerts and
-- grid workers' reports.  An alert of severity alert or critical opens a
-- case or joins an open one; every step of a case is a row of case_steps
-- (who, when, what, note); evidence is kept once per content hash in
-- evidence, never in the alert table.  Owned by the county library's cases
-- module (tools/county/cases.h), which writes every step in one
-- transaction.  Instants are Unix ms (UTC).

CREATE TABLE cases (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	township     TEXT NOT NULL,                 -- who must act (changes only by reassignment)
	severity     TEXT NOT NULL CHECK (severity IN ('alert', 'critical')),
	kind         TEXT NOT NULL,                 -- the rule (R05, C01...) or the report's kind
	join_key     TEXT NOT NULL DEFAULT '',      -- cylinder, buyer or station the alerts share
	station      TEXT NOT NULL DEFAULT '',
	cylinder     TEXT NOT NULL DEFAULT '',
	buyer_masked TEXT NOT NULL DEFAULT '',
	title        TEXT NOT NULL,
	state        TEXT NOT NULL DEFAULT 'new'
	             CHECK (state IN ('new', 'accepted', 'onsite', 'decided', 'closed', 'dismissed')),
	officer      TEXT NOT NULL DEFAULT '',      -- identity that accepted it
	reporter     TEXT NOT NULL DEFAULT '',      -- grid:NAME@TOWNSHIP of a report
	village      TEXT NOT NULL DEFAULT '',
	place        TEXT NOT NULL DEFAULT '',
	lat          REAL,
	lon          REAL,
	code         TEXT NOT NULL DEFAULT '',      -- a scanned cylinder code of a report
	outcome      TEXT NOT NULL DEFAULT '',      -- catalogue outcome code once decided
	power        TEXT NOT NULL DEFAULT '',      -- catalogue penalty power code
	fine_yuan    INTEGER NOT NULL DEFAULT 0,
	alerts       INTEGER NOT NULL DEFAULT 0,    -- alerts joined into it
	opened_ms    INTEGER NOT NULL,
	last_alert_ms INTEGER NOT NULL,             -- the join window runs from here
	accepted_ms  INTEGER NOT NULL DEFAULT 0,
	onsite_ms    INTEGER NOT NULL DEFAULT 0,
	decided_ms   INTEGER NOT NULL DEFAULT 0,
	closed_ms    INTEGER NOT NULL DEFAULT 0,    -- closed or dismissed
	escalated_ms INTEGER NOT NULL DEFAULT 0,    -- put on the county's overdue list
	updated_ms   INTEGER NOT NULL
);
CREATE INDEX cases_township ON cases(township, state);
CREATE INDEX cases_join ON cases(township, kind, join_key, state);
CREATE INDEX cases_reporter ON cases(reporter);

-- Which alerts each case holds: an alert is in one case at most.
CREATE TABLE case_alerts (
	alert   INTEGER PRIMARY KEY REFERENCES alerts(id),
	case_id INTEGER NOT NULL REFERENCES cases(id)
);
CREATE INDEX case_alerts_case ON case_alerts(case_id);

-- Every step of every case: the timeline.
CREATE TABLE case_steps (
	id        INTEGER PRIMARY KEY AUTOINCREMENT,
	case_id   INTEGER NOT NULL REFERENCES cases(id),
	at_ms     INTEGER NOT NULL,
	identity  TEXT NOT NULL,                    -- who (county: the county's own sweep)
	action    TEXT NOT NULL,                    -- open, join, accept, onsite, decide, close, ...
	note      TEXT NOT NULL DEFAULT '',
	state     TEXT NOT NULL                     -- the case's state after the step
);
CREATE INDEX case_steps_case ON case_steps(case_id, id);

-- Evidence files, once per content (SHA-256 hex), and which case holds them.
CREATE TABLE evidence (
	hash  TEXT PRIMARY KEY,
	size  INTEGER NOT NULL,
	data  BLOB NOT NULL
) WITHOUT ROWID;
CREATE TABLE case_evidence (
	case_id INTEGER NOT NULL REFERENCES cases(id),
	step    INTEGER NOT NULL REFERENCES case_steps(id),
	hash    TEXT NOT NULL REFERENCES evidence(hash),
	name    TEXT NOT NULL,
	type    TEXT NOT NULL,
	PRIMARY KEY (case_id, hash)
) WITHOUT ROWID;
