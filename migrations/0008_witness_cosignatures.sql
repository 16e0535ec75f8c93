-- Witness cosignatures (C2SP tlog-cosignature/v1) over the logs' signed
-- checkpoints: one line per witness and tree size, the newest kept. A
-- cosignature signs the checkpoint's text (origin, size, root) only, so it
-- stays valid when the exchange re-signs the same tree for freshness; it is
-- served appended to that checkpoint's note.
CREATE TABLE witness_cosignatures (
  log_id       bigint NOT NULL,
  size         bigint NOT NULL,
  witness      text NOT NULL,        -- the witness's verifier key, name+id+key
  line         text NOT NULL,        -- the signature line, newline included
  cosigned_at  timestamptz NOT NULL, -- the cosignature's own timestamp
  PRIMARY KEY (log_id, size, witness),
  FOREIGN KEY (log_id, size) REFERENCES log_checkpoints (log_id, size)
);
-- The witness's newest cosigned size per log: where its next request starts.
CREATE INDEX witness_cosignatures_by_witness ON witness_cosignatures (log_id, witness, size DESC);
