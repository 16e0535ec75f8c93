-- Issue 13: the names an invitation and an application carry obey the same
-- bound as the organisation they become (common/limits.h kMaxOrgNameChars),
-- so a name the API accepted can always be approved. NOT VALID: rows written
-- before this migration are not re-checked (the API never let one through
-- that the organisation would refuse without failing the approval).
ALTER TABLE invitations
  ADD CONSTRAINT invitations_org_name_length CHECK (length(org_name) BETWEEN 1 AND 200) NOT VALID;
ALTER TABLE applications
  ADD CONSTRAINT applications_org_name_length CHECK (length(org_name) BETWEEN 1 AND 200) NOT VALID;

-- Credentials a member organisation mints for itself (POST /v1/credentials)
-- are counted by the API against a cap; this index keeps the count cheap.
CREATE INDEX credentials_org_status_idx ON credentials (org_id, status);
