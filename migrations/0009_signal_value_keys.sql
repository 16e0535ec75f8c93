-- A signal is one (collection, kind, value). Values of the opaque kinds (vpdq,
-- tmk_pdqf) reach 256 KiB, beyond what one btree index entry holds (about
-- 2.7 kB), so a long value failed its insert. The unique index is on the
-- value's SHA-256 instead (collision-resistant: two values never share a
-- key); every lookup by value matches value_key (the index), then the value.
--
-- convert_to is only STABLE because it depends on the database's encoding,
-- which never changes for a database: the key is a function of the value.
CREATE FUNCTION signal_value_key(value text) RETURNS bytea
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT sha256(convert_to(value, 'UTF8')) $$;
ALTER TABLE signals ADD COLUMN value_key bytea GENERATED ALWAYS AS (signal_value_key(value)) STORED;
ALTER TABLE signals DROP CONSTRAINT signals_collection_id_kind_value_key;
ALTER TABLE signals ADD CONSTRAINT signals_collection_id_kind_value_key_key UNIQUE (collection_id, kind, value_key);
