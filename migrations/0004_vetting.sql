-- Vetting: invitations, applications with a two-admin rule, issued credentials.

-- Who holds a credential: the certificate's subject CN for credentials
-- registered by an operator, the organisation for enrolled ones. Two
-- approvals must come from two different holders.
ALTER TABLE credentials ADD COLUMN holder text NOT NULL DEFAULT '';
ALTER TABLE credentials ADD COLUMN revocation_reason text NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN status_reason text NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN status_changed_at timestamptz;

CREATE TABLE invitations (
  id            bigserial PRIMARY KEY,
  token_sha256  bytea NOT NULL UNIQUE,  -- the token itself is never stored
  org_slug      text NOT NULL CHECK (org_slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
  org_name      text NOT NULL,
  contact       text NOT NULL,
  created_by    bigint NOT NULL REFERENCES credentials (id),
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  used_at       timestamptz
);

CREATE TABLE applications (
  id                   bigserial PRIMARY KEY,
  public_id            text NOT NULL UNIQUE,  -- what applicants and admins use
  invitation_id        bigint NOT NULL UNIQUE REFERENCES invitations (id),
  org_slug             text NOT NULL,
  org_name             text NOT NULL,
  legal_name           text NOT NULL,
  domain               text NOT NULL,
  contact              text NOT NULL,
  legal_basis          text NOT NULL,
  accepted_principles  boolean NOT NULL CHECK (accepted_principles),
  csr_pem              text NOT NULL,
  status               text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
  created_at           timestamptz NOT NULL DEFAULT now(),
  decided_at           timestamptz,
  credential_id        bigint REFERENCES credentials (id),
  certificate_pem      text NOT NULL DEFAULT ''
);

CREATE TABLE application_decisions (
  application_id  bigint NOT NULL REFERENCES applications (id),
  holder          text NOT NULL,  -- the deciding admin (credentials.holder)
  credential_id   bigint NOT NULL REFERENCES credentials (id),
  decision        text NOT NULL CHECK (decision IN ('approve', 'reject')),
  reason          text NOT NULL,
  decided_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (application_id, holder)
);
