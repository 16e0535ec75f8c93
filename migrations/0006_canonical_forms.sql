-- Canonical forms version 2 (docs/signals.md): UTS #46 host names, NFKC_Casefold
-- text, look-alike skeletons; and collection taxonomies.

-- The version of the canonical-form rules a signal's value was written under.
-- Rows from before this migration were written under version 1;
-- `exchanged migrate-signals` re-canonicalises them and moves them to the
-- current version (exchange/signals/canonical.h, kCanonicalFormVersion).
ALTER TABLE signals ADD COLUMN canon_version integer NOT NULL DEFAULT 1 CHECK (canon_version >= 1);

-- The UTS #39 confusable skeleton of the value (keyword, domain, url), for
-- look-alike matches; NULL for other kinds and for rows not yet migrated.
ALTER TABLE signals ADD COLUMN skeleton text;
CREATE INDEX signals_skeleton_idx ON signals (collection_id, kind, skeleton) WHERE skeleton IS NOT NULL;
CREATE INDEX signals_canon_version_idx ON signals (canon_version);

-- A collection's taxonomy: the categories a contribution may carry (empty:
-- any token) and, optionally, the labels it may carry (empty: any token).
-- Stored in their canonical spelling; submissions are matched case-insensitively.
ALTER TABLE collections ADD COLUMN allowed_categories text[] NOT NULL DEFAULT '{}';
ALTER TABLE collections ADD COLUMN label_vocabulary text[] NOT NULL DEFAULT '{}';
