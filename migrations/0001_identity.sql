-- Organisations and the client certificates that act for them.
-- A caller is identified by the SHA-256 fingerprint of its certificate.

CREATE TABLE organisations (
  id          bigserial PRIMARY KEY,
  slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'revoked')),
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE credentials (
  id               bigserial PRIMARY KEY,
  org_id           bigint NOT NULL REFERENCES organisations (id),
  role             text NOT NULL CHECK (role IN ('member', 'admin', 'auditor')),
  fingerprint      text NOT NULL UNIQUE CHECK (fingerprint ~ '^[0-9a-f]{64}$'),
  serial_hex       text NOT NULL,
  not_after        timestamptz NOT NULL,
  certificate_pem  text NOT NULL,
  status           text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
  created_at       timestamptz NOT NULL DEFAULT now(),
  revoked_at       timestamptz
);

CREATE INDEX credentials_org_idx ON credentials (org_id);
