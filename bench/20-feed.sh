#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The verifiable feed: append throughput (batches of 10,000 and of 1,000)
# beside SHA-256 leaf hashing of the same entry bytes; inclusion and
# consistency proof latency at the final tree size (1,000,000 entries by
# default); and entries served per second over mTLS beside curl fetching the
# same bytes from nginx over TLS, in the same run.
#
#   bench/20-feed.sh        (normally run by scripts/bench)
# Knobs: BENCH_FEED_ENTRIES (1000000), BENCH_FEED_PROOFS (2000).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/lib/common.sh"
source "$root/bench/lib/profile.sh"
bin="$root/build/bin"
entries=${BENCH_FEED_ENTRIES:-1000000}
proofs=${BENCH_FEED_PROOFS:-2000}
log() { echo "feed: $*" >&2; }

"$root/scripts/build" --target exchanged --target exchangectl --target feed_bench >&2
ctl="$bin/exchangectl"
bench_begin
nginx_pid=
bench_on_exit() { bench_stop "$nginx_pid"; }
bench_sandbox_up

log "appending $entries entries in batches of 10,000, then paging and proofs"
big=$("$bin/feed_bench" "${client[@]}" --entries "$entries" --batch 10000 --proofs "$proofs" --seed 1 \
  --page-file "$work/page.bin")
# PostgreSQL logs every statement of this run (with short parameters), to
# show its part of a proof's latency and the plan of the proof's query.
pg_log="$work/sandbox/pg/server.log"
pg_offset=$(stat -c %s "$pg_log")
bench_pg_log_statements "$DATABASE_URL" on 1024
log "appending 20,000 more in batches of 1,000"
small=$("$bin/feed_bench" "${client[@]}" --entries 20000 --batch 1000 --proofs "$proofs" --seed 2)
bench_pg_log_statements "$DATABASE_URL" off
statement_rows=$(bench_pg_statement_rows "$pg_log" "$pg_offset" | awk 'NR <= 12')
# The proofs read their nodes with one query (store/logs.cpp, kSelectNodes).
nodes_plan=$(bench_pg_explain "$DATABASE_URL" "$pg_log" "$pg_offset" "JOIN unnest(")

# nginx serves one page of entries (the same bytes) with the same certificates.
mkdir -p "$work/nginx/www"
cp "$work/page.bin" "$work/nginx/www/page.bin"
bench_nginx_start /usr/sbin/nginx "$work" "$work/sandbox/pki" page.bin
port=$nginx_port
pages=$(bench_json_field "$big" pages)
urls=()
for _ in $(seq 1 "$pages"); do urls+=(-o /dev/null "https://localhost:$port/page.bin"); done
t0=$(date +%s.%N)
curl -fsS --cacert "$EXCHANGE_CA" --cert "$ALPHA_CERT" --key "$ALPHA_KEY" "${urls[@]}"
nginx_seconds=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
page_bytes=$(wc -c <"$work/page.bin")
tree=$(bench_json_field "$big" tree_size)
# The same client for both servers: curl fetching exchanged's pages (now in its memory).
ex_urls=()
for ((p = 0; p < pages; p++)); do ex_urls+=(-o /dev/null "$EXCHANGE_URL/v1/collections/csam-known/entries?start=$((p * 10000))&limit=10000"); done
t0=$(date +%s.%N)
curl -fsS --cacert "$EXCHANGE_CA" --cert "$ALPHA_CERT" --key "$ALPHA_KEY" -H 'Accept: application/x-protobuf' "${ex_urls[@]}"
curl_exchange_seconds=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
nginx_bytes_per_s=$(awk -v b="$page_bytes" -v p="$pages" -v s="$nginx_seconds" 'BEGIN { printf "%.0f", b * p / s }')
exchange_bytes_per_s=$(bench_json_field "$big" page_bytes_per_s)
share=$(awk -v e="$exchange_bytes_per_s" -v n="$nginx_bytes_per_s" 'BEGIN { printf "%.0f", 100 * e / n }')
curl_exchange_bytes_per_s=$(awk -v b="$page_bytes" -v p="$pages" -v s="$curl_exchange_seconds" 'BEGIN { printf "%.0f", b * p / s }')
curl_exchange_entries_per_s=$(awk -v t="$tree" -v s="$curl_exchange_seconds" 'BEGIN { printf "%.0f", t / s }')
warm_share=$(awk -v e="$curl_exchange_bytes_per_s" -v n="$nginx_bytes_per_s" 'BEGIN { printf "%.0f", 100 * e / n }')
entries_per_page_equiv=$(awk -v e="$(bench_json_field "$big" page_entries_per_s)" -v s="$share" 'BEGIN { printf "%.0f", e * 100 / s }')

# A member's initial sync of the whole log into a verified mirror (pages are
# already in the server's cache: this member is not the first reader), then an
# incremental sync of 1,000 new entries.
export EXCHANGECTL_SERVER=$EXCHANGE_URL EXCHANGECTL_CA=$EXCHANGE_CA EXCHANGECTL_CERT=$BETA_CERT EXCHANGECTL_KEY=$BETA_KEY
t0=$(date +%s.%N)
"$ctl" sync --collection csam-known --mirror "$work/mirror" >&2
sync_seconds=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
"$bin/feed_bench" "${client[@]}" --entries 1000 --batch 1000 --proofs 1 --seed 3 >/dev/null
t0=$(date +%s.%N)
"$ctl" sync --collection csam-known --mirror "$work/mirror" >&2
incremental_seconds=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
sync_size=$(sed -n 2p "$work/mirror/checkpoint")
sync_rate=$(awk -v n="$((sync_size - 1000))" -v s="$sync_seconds" 'BEGIN { printf "%.0f", n / s }')
sync_share=$(awk -v n="$((sync_size - 1000))" -v s="$sync_seconds" -v e="$entries_per_page_equiv" 'BEGIN { printf "%.0f", 100 * n / s / e }')

f() { bench_json_field "$1" "$2"; }
cat <<MD
## Feed: appends, proofs and paging

Measured by \`bench/20-feed.sh\` on $started, against a sandbox (one exchanged, one PostgreSQL, the load
generator on the same 2-core machine), through the real API over mTLS.

$(bench_machine)

| what | figure | beside it, same run |
|---|---:|---|
| append, batches of 10,000 | $(f "$big" append_entries_per_s) entries/s | SHA-256 leaf hashing of the same entries: $(f "$big" hash_entries_per_s) entries/s |
| append, batches of 1,000 | $(f "$small" append_entries_per_s) entries/s | (each batch: one transaction, staging by COPY, one set-based merge) |
| inclusion proof at $tree entries | p50 $(f "$small" inclusion_p50_ms) ms, p99 $(f "$small" inclusion_p99_ms) ms | goal p99 ≤ 2 ms at 10,000,000 entries |
| consistency proof at $tree entries | p50 $(f "$small" consistency_p50_ms) ms, p99 $(f "$small" consistency_p99_ms) ms | |
| entries served, first reader (pages of 10,000, from PostgreSQL) | $(f "$big" page_entries_per_s) entries/s ($exchange_bytes_per_s B/s) | curl from nginx, same bytes over mTLS: $nginx_bytes_per_s B/s (≈ $entries_per_page_equiv entries/s) — exchanged at **$share %** |
| entries served to curl, later readers (pages from memory) | $curl_exchange_entries_per_s entries/s ($curl_exchange_bytes_per_s B/s) | exchanged at **$warm_share %** of nginx, both fetched by curl (goal ≥ 50 %) |
| entries served to our client, later readers | $(f "$big" warm_entries_per_s) entries/s ($(f "$big" warm_bytes_per_s) B/s) | (exchangectl's HTTP client, protobuf parsing included) |
| \`exchangectl sync\`, initial, $((sync_size - 1000)) entries verified and written to a mirror | $sync_rate entries/s | **$sync_share %** of curl's rate from nginx for the same bytes (goals ≥ 50 % and ≥ 200,000 entries/s) |
| \`exchangectl sync\`, incremental: 1,000 new entries on that mirror | $incremental_seconds s | goal < 1 s |

Proof latency is one request at a time on one kept-alive connection, end to end (TLS, HTTP, one PostgreSQL
query of O(log n) rows), measured at $tree entries.

Load average (1, 5, 15 min) before: $load_before; after: $(bench_load) — the machine is shared, so other work may have run alongside.

<details><summary>PostgreSQL's own time per statement during the batches of 1,000 and the proofs (its statement log)</summary>

| statement | calls | total s | mean ms | p50 ms | p99 ms |
|---|---:|---:|---:|---:|---:|
$statement_rows

The proofs' query at $tree entries, the slowest call of the run, \`EXPLAIN (ANALYZE, BUFFERS)\` with its parameters:

\`\`\`
$nodes_plan
\`\`\`

</details>
MD
