-- Signals, who contributed them (provenance), opinions, sightings, and the
-- idempotency records that make batch submission safe to retry.

CREATE TABLE signals (
  id             bigserial PRIMARY KEY,
  collection_id  bigint NOT NULL REFERENCES collections (id),
  kind           text NOT NULL,
  value          text NOT NULL,
  status         text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disputed', 'retracted')),
  pdq_quality    integer CHECK (pdq_quality BETWEEN 0 AND 100),
  first_seen     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (collection_id, kind, value)
);

-- One contribution per organisation per signal: the provenance of the signal.
CREATE TABLE contributions (
  id            bigserial PRIMARY KEY,
  signal_id     bigint NOT NULL REFERENCES signals (id),
  org_id        bigint NOT NULL REFERENCES organisations (id),
  category      text NOT NULL DEFAULT '',
  labels        text[] NOT NULL DEFAULT '{}',
  reviewed      boolean NOT NULL DEFAULT false,
  source_ref    text NOT NULL DEFAULT '',
  principles    integer[] NOT NULL DEFAULT '{}',
  expires_at    timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  retracted_at  timestamptz,
  -- Set once the expiry task has published the feed entry for this expiry.
  expiry_applied  boolean NOT NULL DEFAULT false,
  UNIQUE (signal_id, org_id)
);
CREATE INDEX contributions_org_idx ON contributions (org_id, created_at);
CREATE INDEX contributions_expiry_idx ON contributions (expires_at)
  WHERE expires_at IS NOT NULL AND retracted_at IS NULL AND NOT expiry_applied;

CREATE TABLE opinions (
  signal_id   bigint NOT NULL REFERENCES signals (id),
  org_id      bigint NOT NULL REFERENCES organisations (id),
  opinion     text NOT NULL CHECK (opinion IN ('confirm', 'dispute')),
  reason      text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (signal_id, org_id)
);

-- Private to the reporting member and the exchange.
CREATE TABLE sightings (
  id                 bigserial PRIMARY KEY,
  signal_id          bigint NOT NULL REFERENCES signals (id),
  org_id             bigint NOT NULL REFERENCES organisations (id),
  observed_at        timestamptz NOT NULL,
  action             text NOT NULL CHECK (action IN ('removed', 'reported_to_authority', 'account_actioned',
                                                    'no_action', 'false_positive')),
  seconds_to_action  bigint CHECK (seconds_to_action >= 0),
  reported_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sightings_org_idx ON sightings (org_id, observed_at);

-- A retried batch (same organisation, same key) returns the stored response.
CREATE TABLE idempotency_keys (
  org_id          bigint NOT NULL REFERENCES organisations (id),
  key             text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
  request_sha256  bytea NOT NULL,
  response        bytea NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, key)
);

-- A contribution counts while it is neither retracted nor expired.
CREATE VIEW live_contributions AS
  SELECT * FROM contributions
   WHERE retracted_at IS NULL AND (expires_at IS NULL OR expires_at > now());

-- Everything a feed entry says about a signal, computed in one place.
-- Lists are comma-joined: categories, labels and slugs cannot hold commas.
CREATE VIEW signal_states AS
  SELECT s.id, s.collection_id, s.kind, s.value, s.status,
         (extract(epoch FROM s.first_seen) * 1000)::bigint AS first_seen_ms,
         coalesce(s.pdq_quality, 0) AS pdq_quality,
         coalesce((SELECT string_agg(DISTINCT c.category, ',') FROM live_contributions c
                    WHERE c.signal_id = s.id AND c.category <> ''), '') AS categories,
         coalesce((SELECT string_agg(DISTINCT l.label, ',') FROM live_contributions c, unnest(c.labels) AS l(label)
                    WHERE c.signal_id = s.id), '') AS labels,
         coalesce((SELECT string_agg(DISTINCT p.principle::text, ',') FROM live_contributions c,
                          unnest(c.principles) AS p(principle)
                    WHERE c.signal_id = s.id), '') AS principles,
         (SELECT count(*) FROM live_contributions c WHERE c.signal_id = s.id) AS contributors,
         (SELECT count(*) FROM opinions o WHERE o.signal_id = s.id AND o.opinion = 'confirm') AS confirmations,
         (SELECT count(*) FROM opinions o WHERE o.signal_id = s.id AND o.opinion = 'dispute') AS disputes,
         coalesce((SELECT bool_or(c.reviewed) FROM live_contributions c WHERE c.signal_id = s.id), false) AS reviewed,
         coalesce((SELECT string_agg(o.slug, ',' ORDER BY o.slug) FROM live_contributions c
                     JOIN organisations o ON o.id = c.org_id WHERE c.signal_id = s.id), '') AS contributor_orgs
    FROM signals s;
