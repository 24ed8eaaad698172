-- The buyer as the record names it, copied into the fill (and the masked
-- number into the violation) when the row is written, so that a record
-- sent again (a retry, gasctl aside --retry, the put-back for a county
-- restored from a backup: 009) is the record sent the first time, whatever
-- gasctl buyers add has changed since; the county's digest covers these
-- fields, and a changed township, kind or delivery flag made it raise C06
-- (conflict) against an honest station.  records.c writes them in the
-- transaction that writes the row and sends only them.
--   buyer_kind: 'household', 'business', or 'delivery' (buyers.delivery = 1)
-- The buyer's address is not copied: the county's digest leaves it out,
-- and the station keeps one address per buyer, the one registered now
-- (docs/buyers.md, "The address"); a record that carries it carries that.
-- A fill without a buyer has NULL in all three.
ALTER TABLE fills ADD COLUMN buyer_masked TEXT;
ALTER TABLE fills ADD COLUMN buyer_township TEXT;
ALTER TABLE fills ADD COLUMN buyer_kind TEXT;
ALTER TABLE violations ADD COLUMN buyer_masked TEXT;

-- The rows written before that may still be sent (in the outbox, kept
-- acknowledged for a put-back, or a fill still open that recovery will
-- finish): the buyer as the station holds it now, the best that is known
-- (what their first send read too, unless the buyer changed in between).
-- Only those: giving every fill of the station's history a value would
-- rewrite the whole table, curves and all, at the upgrade (a WAL the
-- table's size, minutes with the valves closed).  Older fills keep NULL,
-- and the lists that show them read the masked number from the buyer's
-- row, which never changes (it is made from the ID number).
CREATE TEMP TABLE buyer_frozen_due AS
	SELECT uuid FROM outbox UNION SELECT uuid FROM outbox_acked
	UNION SELECT uuid FROM fills WHERE result = 'filling';
UPDATE fills SET
	buyer_masked = (SELECT masked FROM buyers b WHERE b.id = fills.buyer),
	buyer_township = (SELECT township FROM buyers b WHERE b.id = fills.buyer),
	buyer_kind = (SELECT CASE WHEN b.delivery = 1 THEN 'delivery' ELSE b.kind END
	              FROM buyers b WHERE b.id = fills.buyer)
WHERE buyer IS NOT NULL AND uuid IN (SELECT uuid FROM buyer_frozen_due);
UPDATE violations SET buyer_masked = (SELECT masked FROM buyers b WHERE b.id = violations.buyer)
WHERE buyer IS NOT NULL AND event IN (SELECT uuid FROM buyer_frozen_due);
DROP TABLE buyer_frozen_due;
