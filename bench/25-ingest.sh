#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Ingest: INGEST_SIGNALS (1,000,000) submissions of mixed kinds in batches of
# 10,000 by two organisations at once, 30 % of beta's overlapping alpha's, end
# to end over mTLS with exchangectl submit; beside psql \copy of the same
# distinct rows into the signals table, in the same run (the machine's limit
# for getting rows into PostgreSQL at all). Also the feed entries produced per second.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/lib/common.sh"
source "$root/bench/lib/profile.sh"
bin="$root/build/bin"
total=${INGEST_SIGNALS:-1000000}
"$root/scripts/build" --target exchanged --target exchangectl >&2
bench_begin
export EXCHANGE_ORG_RATE_LIMIT=1000000000
bench_sandbox_up

# alpha: half the submissions; beta: the other half, 30 % of them alpha's values.
python3 - "$work" "$total" <<'PY'
import hashlib, sys
work, total = sys.argv[1], int(sys.argv[2])
half = total // 2
def row(i):
    h = hashlib.sha256(b"ingest-%d" % i).hexdigest()
    k = i % 10
    if k < 4: return "sha256,%s,A1" % h
    if k < 7: return "md5,%s,A2" % h[:32]
    if k < 9: return "url,https://host%d.example/p/%s,B1" % (i % 5000, h[:16])
    return "domain,d%s.example,B2" % h[:20]
with open(work + "/alpha.csv", "w") as f:
    f.write("kind,value,category\n")
    for i in range(half): f.write(row(i) + "\n")
overlap = int(half * 0.3)
with open(work + "/beta.csv", "w") as f:
    f.write("kind,value,category\n")
    for i in range(overlap): f.write(row(i) + "\n")
    for i in range(half, half + (half - overlap)): f.write(row(i) + "\n")
with open(work + "/distinct.tsv", "w") as f:
    for i in range(half + (half - overlap)):
        kind, value, _ = row(i).split(",")
        f.write("%s\t%s\n" % (kind, value))
PY

log_size() { curl -fsS --cacert "$EXCHANGE_CA" --cert "$ALPHA_CERT" --key "$ALPHA_KEY" \
  "$EXCHANGE_URL/v1/collections/csam-known/checkpoint" | sed -n 2p; }
echo "ingest: submitting $total signals (alpha and beta at once)" >&2
# Where the time goes: PostgreSQL logs every statement's duration, and perf
# samples exchanged for a while in the middle of the run.
pg_log="$work/sandbox/pg/server.log"
pg_offset=$(stat -c %s "$pg_log")
bench_pg_log_statements "$DATABASE_URL" on
exchanged_pid=$(cat "$work/sandbox/exchanged.pid")
cpu_before=$(bench_cpu_ticks "$exchanged_pid")
t0=$(date +%s.%N)
"$bin/exchangectl" submit --collection csam-known --batch 10000 --cert "$ALPHA_CERT" --key "$ALPHA_KEY" \
  "$work/alpha.csv" >"$work/alpha.out" 2>&1 &
a=$!
"$bin/exchangectl" submit --collection csam-known --batch 10000 --cert "$BETA_CERT" --key "$BETA_KEY" \
  "$work/beta.csv" >"$work/beta.out" 2>&1 &
b=$!
profiled=
if bench_profile_available; then
  sleep 5
  bench_profile_record "$work/exchanged.perf" 10 "$exchanged_pid" && profiled=1
fi
wait "$a" "$b"
ingest_seconds=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
cpu_after=$(bench_cpu_ticks "$exchanged_pid")
bench_pg_log_statements "$DATABASE_URL" off
batches=$(((total + 9999) / 10000))
statement_rows=$(bench_pg_statement_rows "$pg_log" "$pg_offset" "$batches" | awk 'NR <= 14')
exchanged_us=$(awk -v t=$((cpu_after - cpu_before)) -v hz="$(getconf CLK_TCK)" -v n="$total" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')
entries=$(log_size)
distinct=$(wc -l <"$work/distinct.tsv")

# The reference: the same distinct rows into the same table with psql \copy.
collection_id=$(psql -qAt "$DATABASE_URL" -c "INSERT INTO logs (name, kind, root) VALUES ('copy-bench', 'collection', decode(repeat('00', 32), 'hex')) RETURNING id" | head -1)
collection_id=$(psql -qAt "$DATABASE_URL" -c "INSERT INTO collections (name, log_id) VALUES ('copy-bench', $collection_id) RETURNING id" | head -1)
sed "s/^/$collection_id\t/" "$work/distinct.tsv" >"$work/copy.tsv"
t0=$(date +%s.%N)
psql -q "$DATABASE_URL" -c "\\copy signals (collection_id, kind, value) FROM '$work/copy.tsv'"
copy_seconds=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')

rate=$(awk -v n="$total" -v s="$ingest_seconds" 'BEGIN { printf "%.0f", n / s }')
copy_rate=$(awk -v n="$distinct" -v s="$copy_seconds" 'BEGIN { printf "%.0f", n / s }')
share=$(awk -v r="$rate" -v c="$copy_rate" 'BEGIN { printf "%.0f", 100 * r / c }')
entry_rate=$(awk -v n="$entries" -v s="$ingest_seconds" 'BEGIN { printf "%.0f", n / s }')
cat <<MD
## Ingest: a million submissions by two organisations

Measured by \`bench/25-ingest.sh\` on $started (one exchanged, one PostgreSQL, both clients on the same 2-core machine).

$(bench_machine)

$total submissions of mixed kinds (40 % sha256, 30 % md5, 20 % url, 10 % domain) by alpha and beta at once,
\`exchangectl submit --batch 10000\` over mTLS, 30 % of beta's values also alpha's: $distinct distinct signals.

| what | rate | beside it, same run |
|---|---:|---|
| submissions accepted end to end | $rate signals/s ($(printf '%.1f' "$ingest_seconds") s) | \`psql \\copy\` of the $distinct distinct rows into \`signals\`: $copy_rate rows/s — exchanged at **$share %** (goal ≥ 50 %) |
| feed entries produced | $entry_rate entries/s ($entries entries) | every created signal and every added contribution is one entry, hashed into the Merkle log |

The exchange does, per batch, what \\copy does not: validation and canonical forms, COPY into a staging
table and a set-based merge into signals and contributions, the feed entries and their Merkle nodes, the
idempotency record, and the commit (fsync) — all in one transaction holding the collection's log lock.

Load average (1, 5, 15 min) before: $load_before; after: $(bench_load) — the machine is shared, so other work may have run alongside.

### Where the time goes

PostgreSQL's own statement log over the whole run ($batches batches of 10,000; each organisation's batches
wait for the other's at the collection's log lock, so the lock's statement holds the wait):

| statement | calls | total s | mean ms | p50 ms | p99 ms | ms per batch |
|---|---:|---:|---:|---:|---:|---:|
$statement_rows

exchanged itself used $exchanged_us µs of CPU per submission (all threads, user + system, over the run).
MD
if [ -n "$profiled" ]; then
  cat <<MD
Sampled for 10 s in the middle of the run by \`perf record -e cpu-clock\` (self time), scaled to that figure:

| library | share | µs/submission |
|---|---:|---:|
$(bench_profile_rows "$work/exchanged.perf" dso 1 "$exchanged_us")

| function | share | µs/submission |
|---|---:|---:|
$(bench_profile_rows "$work/exchanged.perf" sym 1.5 "$exchanged_us")
MD
fi
