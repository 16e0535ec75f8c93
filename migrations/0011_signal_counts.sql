-- The signals held per (collection, kind, status), kept exact by triggers, so
-- the exchange_signals gauges (store/metrics_figures.cpp) read a handful of
-- rows instead of counting every signal: the GROUP BY over signals took 2.5 s
-- at 10 million signals (bench/RESULTS.md, feed), on every metrics period.
--
-- The triggers are per statement, with transition tables: one aggregate over
-- the statement's rows and one upsert, so a submission (thousands of signals
-- in one INSERT) pays for one small write, not one per signal. Every
-- statement that changes signals in one collection already holds that
-- collection's log lock (store/log_append.h), so the upserts of a collection
-- never wait on each other; the rows are taken in key order regardless.
--
-- A row whose count falls to 0 stays (at most kinds x statuses rows per
-- collection); the metrics query leaves it out, so a combination with no
-- signal still has no series.
CREATE TABLE signal_counts (
  collection_id  bigint NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
  kind           text NOT NULL,
  status         text NOT NULL,
  count          bigint NOT NULL,
  PRIMARY KEY (collection_id, kind, status)
);

-- Adds the statement's rows (new_rows) to the counts and takes its old ones
-- (old_rows) away.
CREATE FUNCTION signal_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO signal_counts AS t (collection_id, kind, status, count)
    SELECT collection_id, kind, status, count(*) FROM new_rows
     GROUP BY collection_id, kind, status ORDER BY collection_id, kind, status
    ON CONFLICT (collection_id, kind, status) DO UPDATE SET count = t.count + EXCLUDED.count;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO signal_counts AS t (collection_id, kind, status, count)
    SELECT collection_id, kind, status, -count(*) FROM old_rows
     GROUP BY collection_id, kind, status ORDER BY collection_id, kind, status
    ON CONFLICT (collection_id, kind, status) DO UPDATE SET count = t.count + EXCLUDED.count;
  ELSE
    -- An UPDATE trigger with transition tables cannot name columns, so it runs
    -- for every UPDATE of signals (pdq_quality, canon_version, ...): only the
    -- groups whose count moved are written, usually none.
    INSERT INTO signal_counts AS t (collection_id, kind, status, count)
    SELECT collection_id, kind, status, sum(n) FROM (
             SELECT collection_id, kind, status, 1 AS n FROM new_rows
             UNION ALL
             SELECT collection_id, kind, status, -1 AS n FROM old_rows) d
     GROUP BY collection_id, kind, status HAVING sum(n) <> 0 ORDER BY collection_id, kind, status
    ON CONFLICT (collection_id, kind, status) DO UPDATE SET count = t.count + EXCLUDED.count;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER signal_counts_insert AFTER INSERT ON signals
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION signal_counts_add();
CREATE TRIGGER signal_counts_update AFTER UPDATE ON signals
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION signal_counts_add();
CREATE TRIGGER signal_counts_delete AFTER DELETE ON signals
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION signal_counts_add();

-- TRUNCATE has no transition table: it empties the counts with the signals.
CREATE FUNCTION signal_counts_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM signal_counts;
  RETURN NULL;
END $$;
CREATE TRIGGER signal_counts_truncate AFTER TRUNCATE ON signals
  FOR EACH STATEMENT EXECUTE FUNCTION signal_counts_truncate();

-- The signals already held. The migration runs in one transaction and
-- CREATE TRIGGER locked signals against writes until it commits, so no
-- signal is counted twice or missed.
INSERT INTO signal_counts (collection_id, kind, status, count)
SELECT collection_id, kind, status, count(*) FROM signals GROUP BY collection_id, kind, status;
