-- The buyer's address, for the township that must visit (docs/buyers.md,
-- "The address"): a station sends it only with a fill that carries a
-- violation routed to the buyer's township (R11).  Kept apart from fills,
-- so that no trace, export or figure can read it; owned by the county
-- library's buyeraddr module (tools/county/buyeraddr.h), the only code
-- that reads or writes these tables.
CREATE TABLE buyer_addresses (
	fill        TEXT PRIMARY KEY,           -- the fill's uuid
	township    TEXT NOT NULL,              -- the buyer's township, as the county routed it
	address     TEXT NOT NULL,
	received_ms INTEGER NOT NULL
);

-- Every showing of an address: who saw it, when, on which case.  Read by
-- regulators on the case (casedetail: "address_views").
CREATE TABLE buyer_address_views (
	id       INTEGER PRIMARY KEY,
	case_id  INTEGER NOT NULL,
	fill     TEXT NOT NULL,
	identity TEXT NOT NULL,
	at_ms    INTEGER NOT NULL
);
CREATE INDEX buyer_address_views_case ON buyer_address_views (case_id, id);
