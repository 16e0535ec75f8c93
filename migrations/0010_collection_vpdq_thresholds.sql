-- Issue 17: the vPDQ match thresholds are a collection's setting (docs/signals.md):
-- a video matches when at least vpdq_stored_percent of the stored video's
-- usable frames and vpdq_query_percent of the query's are matched. The
-- defaults are Meta's (80 % and 0 %). A stored share of 0 would let any video
-- match any other, so it starts at 1; a lookup may still ask for other
-- thresholds per request.
ALTER TABLE collections
  ADD COLUMN vpdq_stored_percent integer NOT NULL DEFAULT 80 CHECK (vpdq_stored_percent BETWEEN 1 AND 100),
  ADD COLUMN vpdq_query_percent integer NOT NULL DEFAULT 0 CHECK (vpdq_query_percent BETWEEN 0 AND 100);
