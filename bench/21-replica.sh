#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Feed reads with 0 and 1 read replicas (serve --read-database-url, docs/operations.md
# "Read replicas and failover"): a member's first sync of the same log from
# tlog-tiles (`exchangectl sync --tiles`, every tile read from PostgreSQL: tiles
# bypass the entry page cache) from two exchanged processes on the sandbox's
# database, one reading the primary only, one with a streaming standby of it
# (pg_basebackup -R) as its read replica, alternately, in the same run; and
# the share of tile reads the replica served.
#
# On one machine the standby shares the CPUs with the primary: the figure
# shows the cost of the replica path (one size lookup per read) and that the
# reads move, not the capacity a replica on its own host adds.
#
#   bench/21-replica.sh        (normally run by scripts/bench)
# Knobs: BENCH_REPLICA_ENTRIES (200000), BENCH_REPLICA_ROUNDS (3).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib/common.sh
source "$root/bench/lib/common.sh"
bin="$root/build/bin"
entries=${BENCH_REPLICA_ENTRIES:-200000}
rounds=${BENCH_REPLICA_ROUNDS:-3}
log() { echo "replica: $*" >&2; }

"$root/scripts/build" --target exchanged --target exchangectl --target feed_bench >&2
ctl="$bin/exchangectl"
bench_begin
# Before the sandbox goes down; sandbox down also stops exchanged-replica (its
# pid file is in the sandbox's folder).
bench_on_exit() { [ -e "$work/standby/pg.url" ] && "$root/scripts/lib/pgcluster.sh" down "$work/standby" >&2; }
bench_sandbox_up
sb="$work/sandbox"

log "appending $entries entries in batches of 10,000"
"$bin/feed_bench" "${client[@]}" --entries "$entries" --batch 10000 --proofs 1 --seed 1 >/dev/null

log "a streaming standby of the sandbox's PostgreSQL"
mkdir -p "$work/standby"
standby_url=$("$root/scripts/lib/pgcluster.sh" standby "$work/standby" "$sb")
standby_db="${standby_url%/*}/${DATABASE_URL##*/}"
for _ in $(seq 1 200); do
  [ "$(psql -XAtq "$standby_db" -c "SELECT size FROM logs WHERE name = 'csam-known'")" = \
    "$(psql -XAtq "$DATABASE_URL" -c "SELECT size FROM logs WHERE name = 'csam-known'")" ] && break
  sleep 0.1
done

# A second exchanged on the same database and keys, with the standby as its read replica.
api_port=$(bench_free_port)
ops_port=$(bench_free_port)
EXCHANGE_DATABASE_URL="$DATABASE_URL" EXCHANGE_READ_DATABASE_URLS="$standby_db" \
EXCHANGE_TLS_CERT="$sb/pki/server.pem" EXCHANGE_TLS_KEY="$sb/pki/server.key" EXCHANGE_CLIENT_CA="$sb/pki/ca-bundle.pem" \
EXCHANGE_LISTEN="127.0.0.1:$api_port" EXCHANGE_OPS_LISTEN="127.0.0.1:$ops_port" \
EXCHANGE_ENROLL_LISTEN="127.0.0.1:$(bench_free_port)" \
EXCHANGE_ISSUING_CA_CERT="$sb/pki/issuing-ca.pem" EXCHANGE_ISSUING_CA_KEY="$sb/pki/issuing-ca.key" \
EXCHANGE_NAME="${EXCHANGE_ORIGIN%/*}" EXCHANGE_FEED_KEYS="$sb/keys/feed.key" \
EXCHANGE_FRESHNESS_KEY="$sb/keys/freshness.key" EXCHANGE_REPORT_KEY="$sb/keys/report.key" \
  nohup "$bin/exchanged" serve >"$sb/exchanged-replica.log" 2>&1 &
echo $! >"$sb/exchanged-replica.pid"
for _ in $(seq 1 200); do curl -fsS "http://127.0.0.1:$ops_port/readyz" >/dev/null 2>&1 && break; sleep 0.05; done
replica_url="https://localhost:$api_port"

reads() {
  curl -fsS "http://127.0.0.1:$ops_port/metrics" | sed -n "s/^exchange_feed_reads_total{database=\"$1\"} //p"
}

# One first sync from tiles into a fresh mirror; prints its seconds.
sync_from() {
  rm -rf "$work/mirror"
  local t0
  t0=$(bench_now)
  EXCHANGECTL_WITNESS_POLICY= "$ctl" sync --tiles --collection csam-known --mirror "$work/mirror" \
    --server "$1" --ca "$EXCHANGE_CA" --cert "$BETA_CERT" --key "$BETA_KEY" >/dev/null 2>"$work/sync.err" ||
    { log "sync from $1 failed: $(cat "$work/sync.err")"; return 1; }
  bench_since "$t0"
}

primary_times=()
replica_times=()
replica_before=$(reads replica)
primary_before=$(reads primary)
for ((r = 0; r < rounds; r++)); do
  t=$(sync_from "$EXCHANGE_URL") || exit 1
  primary_times+=("$t")
  t=$(sync_from "$replica_url") || exit 1
  replica_times+=("$t")
done
p=$(printf '%s\n' "${primary_times[@]}" | bench_median)
q=$(printf '%s\n' "${replica_times[@]}" | bench_median)
by_replica=$(awk -v a="$(reads replica)" -v b="$replica_before" 'BEGIN { print a - b }')
by_primary=$(awk -v a="$(reads primary)" -v b="$primary_before" 'BEGIN { print a - b }')

cat <<MD
## Feed reads with a read replica

Measured by \`bench/21-replica.sh\` on $started: the sandbox's PostgreSQL, a streaming standby of it
(pg_basebackup -R) and two exchanged processes on the same 2-core machine; a member's first
\`exchangectl sync --tiles\` of $entries entries, median of $rounds, the two servers alternately.

$(bench_machine)
- Load average (1, 5, 15 min) before: $load_before; after: $(bench_load) — the machine is shared, so other work may have run alongside.

| exchanged | first sync from tiles | entries/s |
|---|---:|---:|
| \`--database\` only (0 replicas) | $p s | $(bench_rate "$entries" "$p") |
| \`--database\` + \`--read-database-url\` (1 replica) | $q s | $(bench_rate "$entries" "$q") |

Tile reads of the replica's server during its syncs: $by_replica from the replica, $by_primary from the
primary (\`exchange_feed_reads_total\`). Both databases share this machine's CPUs: a replica on its own
host adds its capacity to the feed's; here the figure shows what the replica path costs.
MD
