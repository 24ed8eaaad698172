-- The people of the county's console (docs/console.md, "Signing in"), after
-- the review of 7 Dec 2026.  People are the identities of the county's
-- identities file (officer:, grid:, regulator:), but the console may not
-- read that file (it holds keys; etc/systemd/gasweb.service keeps it out of
-- reach), so an officer the county removed from it was refused over CoAP at
-- once and kept the console: his open session, his password, his township's
-- cases.  gascounty writes here, at start and at every reload that takes a
-- new identities file, the people that file holds now, names only, never a
-- key (tools/county/people.c); gasweb signs in, and keeps the sessions of,
-- only the identities found here.
--   identity  officer:NAME@TOWNSHIP, grid:NAME@TOWNSHIP or regulator:NAME
--   since_ms  the county's clock when gascounty first wrote it (kept while
--             the identity stays in the file)
CREATE TABLE people (
	identity TEXT PRIMARY KEY,
	since_ms INTEGER NOT NULL
) WITHOUT ROWID;
