-- What a keyed case request said (tools/county/cases.c): the SHA-256 of
-- its canonical encoding (casemsg_digest: the action, then every field of
-- the request but its rid, in the table's order, each with its length),
-- so that the same rid on a request that says something else (a console
-- form sent again after Back with another decision, a comment edited) is
-- refused as another request, 4.09, and stores nothing, where before only
-- the action and the case were compared and it was answered as done.
-- Rows kept before this migration have none (NULL): for their 7 days the
-- action and the case are compared as before.
ALTER TABLE case_requests ADD COLUMN digest TEXT; -- 64 hex digits; NULL before 031
