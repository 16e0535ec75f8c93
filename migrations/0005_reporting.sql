-- What the annual progress reports are computed from.

-- Entries are timestamped when written, under the log lock, so times rise with indexes
-- (now() is the transaction's start, which may precede a lower index's).
ALTER TABLE log_entries ALTER COLUMN appended_at SET DEFAULT clock_timestamp();

-- Every move of a signal's status, for disputes opened and resolved.
CREATE TABLE signal_status_changes (
  signal_id    bigint NOT NULL REFERENCES signals (id),
  from_status  text NOT NULL,
  to_status    text NOT NULL,
  changed_at   timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX signal_status_changes_at_idx ON signal_status_changes (changed_at);

-- Every suspension, reinstatement and revocation of an organisation.
CREATE TABLE org_status_changes (
  org_id      bigint NOT NULL REFERENCES organisations (id),
  status      text NOT NULL,
  reason      text NOT NULL,
  changed_at  timestamptz NOT NULL DEFAULT now()
);

-- How far behind a member was when it fetched entries: the feed-freshness numbers.
CREATE TABLE sync_observations (
  org_id          bigint NOT NULL REFERENCES organisations (id),
  log_id          bigint NOT NULL REFERENCES logs (id),
  observed_at     timestamptz NOT NULL DEFAULT now(),
  fetched_to      bigint NOT NULL,  -- the index after the last entry served
  tree_size       bigint NOT NULL,
  lag_seconds     double precision NOT NULL  -- age of the oldest entry not yet fetched; 0 when caught up
);
CREATE INDEX sync_observations_at_idx ON sync_observations (observed_at);
