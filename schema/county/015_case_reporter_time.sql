-- A grid worker's reports by time (docs/county.md, "A report's two
-- look-ups").  Each new report first looks for itself resent (the same
-- report within ten minutes) and counts the person's reports of the last
-- hour (report_max_per_hour), both inside the report's write transaction.
-- With only 011's cases_reporter_urgency (reporter first, then the list's
-- order) both read every case the person ever reported, and the table row
-- of each for its opened_ms: over years a grid worker files thousands.
-- Here both read only the person's cases of the window.
CREATE INDEX cases_reporter_opened ON cases(reporter, opened_ms);
