-- The buyer as the record names it, copied into the fill (and the masked
-- number into the violation) when the row is written, so that a record
-- sent again (a retry, gasctl aside --retry, the put-back for a county
-- restored from a backup: 009) is the record sent the first time, whatever
-- gasctl buyers add has changed since; the county's digest covers these
-- fields, and a changed township, kind or delivery flag made it raise C06
-- (conflict) against an honest station.  records.c writes them in the
-- transaction that writes the row and reads only them when it sends.
--   buyer_kind: 'household', 'business', or 'delivery' (buyers.delivery = 1)
--   buyer_address: only for a fill with a violation routed to the buyer's
--     township (R11), the one record that carries it (docs/buyers.md, "The
--     address"); '' for every other fill.  Erasing the buyer's address
--     (gasctl buyers add without --address) erases these copies too, in the
--     same statement (trigger buyers_address_erased).
-- A fill without a buyer has NULL in all four.
ALTER TABLE fills ADD COLUMN buyer_masked TEXT;
ALTER TABLE fills ADD COLUMN buyer_township TEXT;
ALTER TABLE fills ADD COLUMN buyer_kind TEXT;
ALTER TABLE fills ADD COLUMN buyer_address TEXT;
ALTER TABLE violations ADD COLUMN buyer_masked TEXT;

-- The rows written before: the buyer as the station holds it now, the best
-- that is known (what their first send read too, unless the buyer changed
-- in between).
UPDATE fills SET
	buyer_masked = (SELECT masked FROM buyers b WHERE b.id = fills.buyer),
	buyer_township = (SELECT township FROM buyers b WHERE b.id = fills.buyer),
	buyer_kind = (SELECT CASE WHEN b.delivery = 1 THEN 'delivery' ELSE b.kind END
	              FROM buyers b WHERE b.id = fills.buyer),
	buyer_address = ''
WHERE buyer IS NOT NULL;
UPDATE fills SET buyer_address = (SELECT address FROM buyers b WHERE b.id = fills.buyer)
WHERE buyer IS NOT NULL AND EXISTS (SELECT 1 FROM violations v
	WHERE v.event = fills.uuid AND v.rule = 'R11' AND v.township = fills.buyer_township);
UPDATE violations SET buyer_masked = (SELECT masked FROM buyers b WHERE b.id = violations.buyer)
WHERE buyer IS NOT NULL;

CREATE TRIGGER buyers_address_erased AFTER UPDATE OF address ON buyers
WHEN new.address = '' AND old.address <> ''
BEGIN
	UPDATE fills SET buyer_address = '' WHERE buyer = new.id AND buyer_address <> '';
END;
