-- Verifiable logs (RFC 9162 Merkle trees) and the collections they serve.

-- One append-only log per collection, plus the audit log.
CREATE TABLE logs (
  id          bigserial PRIMARY KEY,
  name        text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
  kind        text NOT NULL CHECK (kind IN ('collection', 'audit')),
  -- The committed tree: appends lock this row, write entries size..size+k-1
  -- and move size and root forward in the same transaction, so indexes are
  -- gap-free and in commit order and a reader that reads size never sees a gap.
  size        bigint NOT NULL DEFAULT 0 CHECK (size >= 0),
  root        bytea NOT NULL CHECK (length(root) = 32),
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE log_entries (
  log_id       bigint NOT NULL REFERENCES logs (id),
  idx          bigint NOT NULL CHECK (idx >= 0),
  entry        bytea NOT NULL,  -- the serialised entry, verbatim
  appended_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (log_id, idx)
);

-- Every perfect subtree root: (level, idx) covers leaves [idx*2^level, (idx+1)*2^level).
-- Level 0 holds the leaf hashes. About two rows per entry; any proof needs
-- O(log n) of them, fetched in one query.
CREATE TABLE log_nodes (
  log_id  bigint NOT NULL REFERENCES logs (id),
  level   integer NOT NULL CHECK (level BETWEEN 0 AND 63),
  idx     bigint NOT NULL CHECK (idx >= 0),
  hash    bytea NOT NULL CHECK (length(hash) = 32),
  PRIMARY KEY (log_id, level, idx)
);

-- Signed checkpoints, only ever of committed trees. The note is re-signed
-- (with a fresh timestamped cosignature) while the tree does not move.
CREATE TABLE log_checkpoints (
  log_id     bigint NOT NULL REFERENCES logs (id),
  size       bigint NOT NULL,
  root       bytea NOT NULL,
  note       text NOT NULL,
  signed_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (log_id, size)
);

CREATE TABLE collections (
  id                      bigserial PRIMARY KEY,
  name                    text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$' AND name <> 'audit'),
  description             text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
  allowed_kinds           text[] NOT NULL DEFAULT '{}',
  required_fields         text[] NOT NULL DEFAULT '{}',
  attribution             text NOT NULL DEFAULT 'named' CHECK (attribution IN ('named', 'anonymous')),
  dispute_min_orgs        integer NOT NULL DEFAULT 2 CHECK (dispute_min_orgs >= 1),
  dispute_needs_majority  boolean NOT NULL DEFAULT true,
  log_id                  bigint NOT NULL UNIQUE REFERENCES logs (id),
  created_at              timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE collection_grants (
  collection_id  bigint NOT NULL REFERENCES collections (id),
  org_id         bigint NOT NULL REFERENCES organisations (id),
  access         text NOT NULL CHECK (access IN ('read', 'write')),
  granted_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (collection_id, org_id)
);

-- The audit log exists from the start. Its root is the empty tree's, SHA-256("").
INSERT INTO logs (name, kind, root)
VALUES ('audit', 'audit', decode('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'hex'));
