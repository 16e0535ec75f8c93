#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A member's first sync of a 1,000,000-entry log from C2SP tlog-tiles
# (`exchangectl sync --tiles`, entries verified into the mirror) through
# nginx as a tile cache in front of exchanged (deploy/nginx/tlog-cache.conf:
# proxy_cache for full tiles, an auth_request to exchanged for every
# request), beside curl fetching the same tiles from the same nginx in the
# same run, with as many requests in flight.
#
#   bench/22-tiles.sh        (normally run by scripts/bench)
#
# Knobs: BENCH_TILES_ENTRIES (1000000), BENCH_TILES_IN_FLIGHT (8), NGINX (/usr/sbin/nginx).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib/common.sh
source "$root/bench/lib/common.sh"
bin="$root/build/bin"
nginx=${NGINX:-/usr/sbin/nginx}
entries=${BENCH_TILES_ENTRIES:-1000000}
in_flight=${BENCH_TILES_IN_FLIGHT:-8}
log() { echo "tiles: $*" >&2; }

[ -x "$nginx" ] || { log "no nginx at $nginx (Debian package nginx-light; scripts/bootstrap installs it)"; exit 1; }
"$root/scripts/build" --target exchanged --target exchangectl --target feed_bench >&2
ctl="$bin/exchangectl"
bench_begin
nginx_pid=
behind_pid=
bench_on_exit() { bench_stop "$nginx_pid" "$behind_pid"; }

# Every tile request through nginx is also a grant check in exchanged:
# bench_sandbox_up raises the per-organisation rate limit out of reach.
bench_sandbox_up
pki="$work/sandbox/pki"
keys="$work/sandbox/keys"

log "appending $entries entries in batches of 10,000"
t0=$(bench_now)
"$bin/feed_bench" "${client[@]}" --entries "$entries" --batch 10000 --proofs 1 --seed 1 >/dev/null
fill_seconds=$(bench_since "$t0")

# nginx's own credential (organisation edge-cache, no grants), issued by the
# sandbox's issuing CA and registered like any other.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$pki/edge.key" \
  -subj "/O=edge-cache/CN=edge" -out "$work/edge.csr" 2>/dev/null
printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n' >"$work/edge.ext"
openssl x509 -req -in "$work/edge.csr" -CA "$pki/issuing-ca.pem" -CAkey "$pki/issuing-ca.key" -CAcreateserial \
  -days 2 -extfile "$work/edge.ext" -out "$pki/edge.pem" 2>/dev/null
"$bin/exchanged" credentials add --database "$DATABASE_URL" --org edge-cache --role member --cert "$pki/edge.pem" >/dev/null

# A second exchanged on the sandbox's database that trusts nginx's credential.
api_port=$(bench_free_port)
ops_port=$(bench_free_port)
name=${EXCHANGE_ORIGIN%/csam-known}
"$bin/exchanged" serve --database "$DATABASE_URL" --listen "127.0.0.1:$api_port" --ops-listen "127.0.0.1:$ops_port" \
  --enroll-listen "127.0.0.1:$(bench_free_port)" --tls-cert "$pki/server.pem" --tls-key "$pki/server.key" \
  --client-ca "$pki/ca-bundle.pem" --issuing-ca-cert "$pki/issuing-ca.pem" --issuing-ca-key "$pki/issuing-ca.key" \
  --name "$name" --feed-keys "$keys/feed.key" --freshness-key "$keys/freshness.key" --report-key "$keys/report.key" \
  --tile-proxy-cert "$pki/edge.pem" >"$work/behind.log" 2>&1 &
behind_pid=$!
for _ in $(seq 1 200); do curl -fsS "http://127.0.0.1:$ops_port/readyz" >/dev/null 2>&1 && break; sleep 0.05; done
curl -fsS "http://127.0.0.1:$ops_port/readyz" >/dev/null || { log "exchanged behind nginx did not start:"; cat "$work/behind.log" >&2; exit 1; }

# nginx with the configuration of docs/operations.md.
nginx_port=$(bench_free_port)
mkdir -p "$work/nginx/tmp" "$work/nginx/cache"
{
  [ "$(id -u)" -eq 0 ] && echo "user root;"  # the workers read the sandbox's keys
  sed -e "s|@WORK@|$work/nginx|g" -e "s|@LISTEN@|127.0.0.1:$nginx_port|g" \
    -e "s|@SERVER_CERT@|$pki/server.pem|g" -e "s|@SERVER_KEY@|$pki/server.key|g" \
    -e "s|@CLIENT_CA@|$pki/ca-bundle.pem|g" -e "s|@EXCHANGED_CA@|$pki/ca-bundle.pem|g" \
    -e "s|@EXCHANGED_NAME@|localhost|g" -e "s|@EXCHANGED@|127.0.0.1:$api_port|g" \
    -e "s|@PROXY_CERT@|$pki/edge.pem|g" -e "s|@PROXY_KEY@|$pki/edge.key|g" "$root/deploy/nginx/tlog-cache.conf"
} >"$work/nginx/nginx.conf"
"$nginx" -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" -g 'daemon off;' >&2 &
nginx_pid=$!
cache_url="https://localhost:$nginx_port"
alpha_tls=(--cacert "$EXCHANGE_CA" --cert "$ALPHA_CERT" --key "$ALPHA_KEY")
for _ in $(seq 1 100); do
  curl -fsS "${alpha_tls[@]}" -o /dev/null "$cache_url/v1/collections/csam-known/tlog/checkpoint" 2>/dev/null && break
  kill -0 "$nginx_pid" 2>/dev/null || { log "nginx exited:"; cat "$work/nginx/error.log" >&2; exit 1; }
  sleep 0.05
done

# The tiles a first sync reads: the entry bundles of the signed tree.
size=$(curl -fsS "${alpha_tls[@]}" "$cache_url/v1/collections/csam-known/tlog/checkpoint" | sed -n 2p)
full=$((size / 256))
partial=$((size % 256))
tile_path() {  # N [WIDTH]: tile/entries/N in the spec's form (x001/x234/067)[.p/WIDTH]
  local n=$1 out
  out=$(printf '%03d' $((n % 1000)))
  n=$((n / 1000))
  while [ "$n" -gt 0 ]; do
    out="x$(printf '%03d' $((n % 1000)))/$out"
    n=$((n / 1000))
  done
  echo "tile/entries/$out${2:+.p/$2}"
}
curl_config() {  # FILE: curl's -K list of every entry bundle of the tree, output discarded
  local n
  for ((n = 0; n < full; n++)); do
    echo "url = \"$cache_url/v1/collections/csam-known/tlog/$(tile_path "$n")\""
    echo "output = /dev/null"
  done
  if [ "$partial" -gt 0 ]; then
    echo "url = \"$cache_url/v1/collections/csam-known/tlog/$(tile_path "$full" "$partial")\""
    echo "output = /dev/null"
  fi
}
curl_config >"$work/tiles.curl"
bundles=$((full + (partial > 0 ? 1 : 0)))
fetch() {  # CERT KEY: every bundle through nginx with curl, $in_flight in parallel; prints bytes
  curl -fsS --cacert "$EXCHANGE_CA" --cert "$1" --key "$2" --parallel --parallel-max "$in_flight" -K "$work/tiles.curl" -w '%{size_download}\n' |
    awk '{ s += $1 } END { print s }'
}
requests_of() {  # ROUTE: exchanged's (behind nginx) requests on ROUTE so far, all codes
  curl -fsS "http://127.0.0.1:$ops_port/metrics" |
    awk -v r="route=\"$1\"" '/^exchange_http_requests_total\{/ && index($0, r) { s += $NF } END { print s + 0 }'
}
tile_route="/v1/collections/{c}/tlog/tile/{tile...}"

log "curl: $bundles entry bundles through nginx, cache empty ($in_flight in flight)"
t0=$(bench_now)
cold_bytes=$(fetch "$ALPHA_CERT" "$ALPHA_KEY")
cold_seconds=$(bench_since "$t0")
log "curl: the same, from the cache"
tiles_before=$(requests_of "$tile_route")
t0=$(bench_now)
warm_bytes=$(fetch "$ALPHA_CERT" "$ALPHA_KEY")
warm_seconds=$(bench_since "$t0")
warm_upstream=$(($(requests_of "$tile_route") - tiles_before))

# beta's first sync through the cache, verified into an empty mirror.
log "exchangectl sync --tiles --in-flight $in_flight through nginx (beta, empty mirror)"
# The feed and freshness keys verify every checkpoint; no witness policy (the
# sandbox's witness is not what is measured here).
unset EXCHANGECTL_WITNESS_POLICY
sync_flags=(--collection csam-known --feed-vkey "$FEED_VKEY,$FRESHNESS_VKEY" --tiles --in-flight "$in_flight")
tiles_before=$(requests_of "$tile_route")
t0=$(bench_now)
sync_out=$("$ctl" sync "${sync_flags[@]}" --mirror "$work/mirror-cache" --server "$cache_url" --cert "$BETA_CERT" --key "$BETA_KEY" 2>&1)
sync_seconds=$(bench_since "$t0")
sync_upstream=$(($(requests_of "$tile_route") - tiles_before))
log "$sync_out"
synced=$(sed -n 2p "$work/mirror-cache/checkpoint")
[ "$synced" = "$size" ] || { log "the mirror holds $synced entries, not $size"; exit 1; }
# The same first sync straight from exchanged (no cache), for reference.
log "exchangectl sync --tiles --in-flight $in_flight straight from exchanged (beta, empty mirror)"
t0=$(bench_now)
direct_out=$("$ctl" sync "${sync_flags[@]}" --mirror "$work/mirror-direct" --server "https://localhost:$api_port" --cert "$BETA_CERT" --key "$BETA_KEY" 2>&1)
direct_seconds=$(bench_since "$t0")
log "$direct_out"
[ "$(sed -n 2p "$work/mirror-direct/checkpoint")" = "$size" ] || { log "the direct mirror is short"; exit 1; }
load_after=$(bench_load)

# Where the sync's time went: exchangectl reports the part spent applying the
# verified entries to the mirror's SQLite state; the rest is the checkpoint,
# fetching, decoding, staging and hashing the bundles.
applied_of() { sed -n -E 's/.*; ([0-9.]+) s of it applying to the mirror.*/\1/p' <<<"$1" | head -1; }
sync_apply=$(applied_of "$sync_out")
direct_apply=$(applied_of "$direct_out")
if [ -z "$sync_apply" ] || [ -z "$direct_apply" ]; then log "exchangectl did not say how long applying took"; exit 1; fi
sync_fetch=$(awk -v t="$sync_seconds" -v a="$sync_apply" 'BEGIN { printf "%.2f", t - a }')
direct_fetch=$(awk -v t="$direct_seconds" -v a="$direct_apply" 'BEGIN { printf "%.2f", t - a }')
sync_fetch_rate=$(bench_rate "$size" "$sync_fetch")
sync_rate=$(bench_rate "$size" "$sync_seconds")
warm_rate=$(bench_rate "$size" "$warm_seconds")
cold_rate=$(bench_rate "$size" "$cold_seconds")
direct_rate=$(bench_rate "$size" "$direct_seconds")
share=$(awk -v a="$sync_rate" -v b="$warm_rate" 'BEGIN { printf "%.2f", a / b }')
verdict() {
  local met=1
  [ "$sync_rate" -ge 300000 ] || met=0
  awk -v s="$share" 'BEGIN { exit !(s >= 0.5) }' || met=0
  [ "$met" = 1 ] && echo "goal (≥ 300,000 entries/s and ≥ 0.5× curl) met" || echo "goal (≥ 300,000 entries/s and ≥ 0.5× curl) not met"
}
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
local_changes=$(git -C "$root" status --porcelain -- exchange clients schema migrations deploy CMakeLists.txt cmake 2>/dev/null |
  awk '{ n = split($2, p, "/"); print (p[1] == "exchange" && n > 2) ? p[1] "/" p[2] : p[1] }' | sort -u | paste -sd, - | sed 's/,/, /g')

cat <<MD
## Tiles: a first sync of $size entries through a tile cache

Measured by \`bench/22-tiles.sh\` on $started; exchanged and exchangectl built (Release) from commit $commit$([ -n "$local_changes" ] && echo " plus uncommitted changes in $local_changes").

$(bench_machine)
- Load average (1, 5, 15 min) before: $load_before; after: $load_after — the machine is shared, so other work may have run alongside.

Setup: a sandbox filled with $size entries (\`feed_bench\`, batches of 10,000: $fill_seconds s), a second exchanged on its
database with \`--tile-proxy-cert\`, and nginx $("$nginx" -v 2>&1 | sed 's/.*nginx\///') in front of it with
\`deploy/nginx/tlog-cache.conf\` (docs/operations.md, "A tile cache in front"): mTLS both ways, full tiles from
\`proxy_cache\`, an \`auth_request\` to exchanged's \`GET .../tlog/access\` for every request, access log on.
A first sync reads the checkpoint and the $bundles entry bundles of the tree ($full full, $([ "$partial" -gt 0 ] && echo "one of $partial" || echo "no partial one")); curl fetches the
same bundles from the same nginx with \`--parallel --parallel-max $in_flight\` (HTTP/1.1, keep-alive), and
\`exchangectl sync --tiles --in-flight $in_flight\` keeps as many requests in flight. All on this one machine.

| what | time | entries/s | beside it |
|---|---:|---:|---|
| curl, every bundle through nginx, cache empty (alpha) | $cold_seconds s | $cold_rate | $cold_bytes B; each miss fetched from exchanged |
| curl, the same bundles from the cache (alpha) | $warm_seconds s | $warm_rate | $warm_bytes B; $warm_upstream tile requests reached exchanged |
| \`exchangectl sync --tiles\` through nginx, empty mirror (beta), entries verified into the mirror | $sync_seconds s | **$sync_rate** | **$share× curl from the cache**; $sync_upstream tile requests reached exchanged |
| \`exchangectl sync --tiles\` straight from exchanged, empty mirror (beta) | $direct_seconds s | $direct_rate | no cache: every bundle from PostgreSQL |

**$(verdict).**

Where the sync's time goes (exchangectl's own report, same runs):

| phase | through nginx | straight from exchanged |
|---|---:|---:|
| checkpoint, fetching the bundles ($in_flight in flight, the next round while the last is checked), decoding, staging to \`entries.log\`, leaf hashes and the root | $sync_fetch s ($sync_fetch_rate entries/s) | $direct_fetch s |
| applying the verified entries to \`state.sqlite\` (one transaction: parse each entry, upsert its signal, fsync) | $sync_apply s | $direct_apply s |

Every request through nginx, cached or not, also costs one grant check in exchanged (\`GET .../tlog/access\`:
the caller from the cache of credentials, one query for the grant).
MD
