-- What the county made of the cylinder code in a grid worker's report
-- (docs/county.md, "A reported cylinder code").  Until now the code was
-- kept as typed, in both code and cylinder, and nothing checked it.  Now:
--   signed     the county's signature holds: cylinder is the code's serial
--              (code the bare code, also when a label's URL was sent);
--   invalid    read as a code but not one the county signed (altered,
--              forged, damaged): no cylinder, the reason in a step "code";
--   unchecked  a code, but gascounty holds no code_key: no cylinder;
--   serial     a serial typed from the steel: cylinder is that serial;
--   unread     any other text: kept in code, no cylinder.
-- '' for a case without a code and for the cases before this version.
ALTER TABLE cases ADD COLUMN code_check TEXT NOT NULL DEFAULT ''
	CHECK (code_check IN ('', 'signed', 'invalid', 'unchecked', 'serial', 'unread'));
