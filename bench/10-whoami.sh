#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# GET /v1/whoami on exchanged, and beside it nginx serving a static file of
# the same bytes, both over HTTPS/1.1 with client certificates (same PKI,
# TLS 1.2+, keep-alive) on this machine. nginx is the practical ceiling for
# HTTPS/1.1 here; the figure that matters is exchanged's share of it.
#
#   bench/10-whoami.sh        (normally run by scripts/bench)
#
# Builds what it needs (scripts/build), starts a sandbox and an nginx in a
# temporary directory, runs bench/loadgen against each server in turn
# (rotating the order), and stops everything on exit. The Markdown section
# goes to stdout, progress to stderr. Works as root (nginx workers then run
# as nobody) and as a normal user.
#
# Knobs (environment): BENCH_CONNECTIONS (64), BENCH_THREADS (2),
# BENCH_WARMUP (1 s), BENCH_DURATION (5 s), BENCH_RUNS (5), NGINX (/usr/sbin/nginx),
# BENCH_PROFILE (1: after the rounds, one more run of nginx and of exchanged
# with JSON and with Protobuf under perf, to show where each server's CPU time
# goes; 0: none).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib/common.sh
source "$root/bench/lib/common.sh"
# shellcheck source=bench/lib/profile.sh
source "$root/bench/lib/profile.sh"
bin="$root/build/bin"
nginx=${NGINX:-/usr/sbin/nginx}
connections=${BENCH_CONNECTIONS:-64}
threads=${BENCH_THREADS:-2}
warmup=${BENCH_WARMUP:-1}
duration=${BENCH_DURATION:-5}
runs=${BENCH_RUNS:-5}

log() { echo "whoami: $*" >&2; }

[ -x "$nginx" ] || { log "no nginx at $nginx (Debian package nginx-light; scripts/bootstrap installs it)"; exit 1; }
log "building exchanged, exchangectl and loadgen"
"$root/scripts/build" --target exchanged --target exchangectl --target loadgen >&2

bench_begin
nginx_pid=
loadgen_pid=
bench_on_exit() { bench_stop "$loadgen_pid" "$nginx_pid"; }

# The per-organisation rate limit would answer 429 to all but a few hundred
# requests a second: bench_sandbox_up raises it out of reach.
bench_sandbox_up
exchanged_pid=$(cat "$work/sandbox/exchanged.pid")
io_threads=${EXCHANGE_IO_THREADS:-$("$bin/exchanged" serve --help 2>&1 | sed -n -E 's/.*--io-threads .*\(default: ([0-9]+)\).*/\1/p')}

curl_mtls() { curl -fsS --cacert "$EXCHANGE_CA" --cert "$ALPHA_CERT" --key "$ALPHA_KEY" "$@"; }

# nginx serves the very bytes exchanged answers, so both send the same body.
mkdir -p "$work/nginx/www"
curl_mtls -H 'Accept: application/json' "$EXCHANGE_URL/v1/whoami" >"$work/nginx/www/whoami.json"
json_bytes=$(wc -c <"$work/nginx/www/whoami.json")
protobuf_bytes=$(curl_mtls -H 'Accept: application/x-protobuf' "$EXCHANGE_URL/v1/whoami" | wc -c)

bench_nginx_start "$nginx" "$work" "$work/sandbox/pki" whoami.json
nginx_url="https://localhost:$nginx_port/whoami.json"
nginx_workers=$(pgrep -P "$nginx_pid" | tr '\n' ' ')
nginx_worker_count=$(wc -w <<<"$nginx_workers")
nginx_version=$("$nginx" -v 2>&1 | sed 's/.*nginx\///')

# The targets, in the order of the first round; later rounds rotate it.
names=(nginx exchanged_json exchanged_protobuf)
declare -A url accept pids label
url[nginx]=$nginx_url
accept[nginx]=application/json
pids[nginx]="$nginx_pid $nginx_workers"
label[nginx]="nginx $nginx_version, static file, $json_bytes B JSON"
url[exchanged_json]=$EXCHANGE_URL/v1/whoami
accept[exchanged_json]=application/json
pids[exchanged_json]=$exchanged_pid
label[exchanged_json]="exchanged /v1/whoami, $json_bytes B JSON"
url[exchanged_protobuf]=$EXCHANGE_URL/v1/whoami
accept[exchanged_protobuf]=application/x-protobuf
pids[exchanged_protobuf]=$exchanged_pid
label[exchanged_protobuf]="exchanged /v1/whoami, $protobuf_bytes B Protobuf"

hz=$(getconf CLK_TCK)

# Starts loadgen against NAME in the background, its JSON to OUT; sets loadgen_pid.
start_loadgen() {
  "$bin/loadgen" --url "${url[$1]}" --ca "$EXCHANGE_CA" --cert "$ALPHA_CERT" --key "$ALPHA_KEY" \
    --connections "$connections" --threads "$threads" --warmup "$warmup" --duration "$duration" \
    --header "Accept: ${accept[$1]}" >"$2" &
  loadgen_pid=$!
}

# One loadgen run against NAME; appends its JSON, plus the server's CPU time
# per request over the measured window, to $work/NAME.runs.
run_one() {
  local name=$1 round=$2 out="$work/$1.out" before after json requests server_us server_cores loadgen_cores
  start_loadgen "$name" "$out"
  sleep "$warmup"
  # shellcheck disable=SC2086  # pids is a list
  before=$(bench_cpu_ticks ${pids[$name]})
  if ! wait "$loadgen_pid"; then
    loadgen_pid=
    log "loadgen against $name measured nothing: $(cat "$out")"
    return 1
  fi
  loadgen_pid=
  after=$(bench_cpu_ticks ${pids[$name]})
  json=$(cat "$out")
  requests=$(bench_json_field "$json" requests)
  server_us=$(awk -v t=$((after - before)) -v hz="$hz" -v n="$requests" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')
  server_cores=$(awk -v t=$((after - before)) -v hz="$hz" -v d="$duration" 'BEGIN { printf "%.2f", t / hz / d }')
  loadgen_cores=$(awk -v c="$(bench_json_field "$json" cpu_s)" -v w="$warmup" -v d="$duration" \
    'BEGIN { printf "%.2f", c / (w + d) }')
  echo "${json%\}},\"round\":$round,\"server_cpu_us\":$server_us,\"server_cores\":$server_cores,\"loadgen_cores\":$loadgen_cores}" \
    >>"$work/$name.runs"
  log "round $round, $name: $(bench_json_field "$json" rps) requests/s, p99 $(bench_json_field "$json" p99_ms) ms, server CPU $server_us µs/request"
}

log "$runs rounds of ${names[*]}, each ${warmup} s warm-up + ${duration} s"
for ((round = 1; round <= runs; round++)); do
  for ((i = 0; i < ${#names[@]}; i++)); do
    run_one "${names[$(((i + round - 1) % ${#names[@]}))]}" "$round"
  done
done
load_after=$(bench_load)

# One more run of NAME with the server's processes sampled by perf (not part
# of the figures above: sampling costs the server a little).
profile_one() {
  local name=$1
  start_loadgen "$name" /dev/null
  sleep "$warmup"
  # shellcheck disable=SC2086
  bench_profile_record "$work/$name.perf" "$duration" ${pids[$name]}
  wait "$loadgen_pid" || true
  loadgen_pid=
}
profiled=()
if [ "${BENCH_PROFILE:-1}" = 1 ] && bench_profile_available; then
  for name in nginx exchanged_json exchanged_protobuf; do
    log "profiling $name with perf"
    profile_one "$name" && profiled+=("$name")
  done
fi

median() {  # NAME FIELD: the median of FIELD over NAME's runs
  while read -r line; do bench_json_field "$line" "$2"; done <"$work/$1.runs" | bench_median
}
total() {  # NAME FIELD: the sum of FIELD over NAME's runs
  while read -r line; do bench_json_field "$line" "$2"; done <"$work/$1.runs" | awk '{ s += $1 } END { print s + 0 }'
}
statuses() {  # NAME: HTTP statuses over NAME's runs, e.g. "200: 812345, 429: 12"
  sed -n -E 's/.*"statuses":\{([^}]*)\}.*/\1/p' "$work/$1.runs" | tr ',' '\n' | tr -d '"' |
    awk -F: 'NF == 2 { n[$1] += $2 } END { for (s in n) printf "%s: %d\n", s, n[s] }' | sort -n | paste -sd, - | sed 's/,/, /g'
}
percent() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", 100 * a / b }'; }
integer() { awk -v a="$1" 'BEGIN { printf "%.0f", a }'; }
busy() { awk -v a="$(median "$1" server_cores)" -v b="$(median "$1" loadgen_cores)" 'BEGIN { printf "%.1f", a + b }'; }

nginx_rps=$(median nginx rps)
json_share=$(percent "$(median exchanged_json rps)" "$nginx_rps")
protobuf_share=$(percent "$(median exchanged_protobuf rps)" "$nginx_rps")
field_of_round() {  # NAME ROUND FIELD
  bench_json_field "$(grep -F "\"round\":$2," "$work/$1.runs")" "$3"
}
round_shares() {  # NAME: NAME's rate as a share of nginx's in the same round, round by round
  local round out=()
  for ((round = 1; round <= runs; round++)); do
    out+=("$(percent "$(field_of_round "$1" "$round" rps)" "$(field_of_round nginx "$round" rps)") %")
  done
  local IFS=,
  echo "${out[*]}" | sed 's/,/, /g'
}
# nginx with loadgen keeps every CPU busy on a quiet machine. When they got
# less, something else ran, and that hurts nginx more than exchanged.
crowded=$(awk -v b="$(busy nginx)" -v n="$(nproc)" 'BEGIN { print (b < 0.9 * n) ? 1 : 0 }')
verdict() {
  if [ "$1" -ge 90 ]; then echo -n "goal (≥ 90 %) met"; else echo -n "goal (≥ 90 %) not met"; fi
  [ "$crowded" = 1 ] && echo -n " — on a crowded machine, see below"
  echo
}
# A run with transport errors or non-2xx answers measured something else.
invalid=
for name in "${names[@]}"; do
  if [ "$(total "$name" errors)" != 0 ] || [ "$(total "$name" non_2xx)" != 0 ]; then
    invalid+="$name: $(total "$name" errors) errors, statuses $(statuses "$name"); "
  fi
done
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
# Uncommitted changes that went into the build, by folder (exchange/log, migrations, ...).
local_changes=$(git -C "$root" status --porcelain -- exchange schema migrations CMakeLists.txt cmake 2>/dev/null |
  awk '{ n = split($2, p, "/"); print (p[1] == "exchange" && n > 2) ? p[1] "/" p[2] : p[1] }' | sort -u | paste -sd, - | sed 's/,/, /g')

cat <<MD
## whoami: exchanged against nginx, HTTPS/1.1 with client certificates

Measured by \`bench/10-whoami.sh\` on $started; exchanged built (Release) from commit $commit$([ -n "$local_changes" ] && echo " plus uncommitted changes in $local_changes").

$(bench_machine)
- Load average (1, 5, 15 min) before: $load_before; after: $load_after — the machine is shared, so other work may have run alongside.

Setup: one machine; \`loadgen\` holds $connections keep-alive mTLS connections on $threads threads, each sending the next GET
as soon as the last response is in; $warmup s warm-up, then $duration s measured. $runs rounds, the order of the servers rotating
each round; every figure below is the median over the rounds. exchanged runs with \`--io-threads $io_threads\` (its
default unless \`EXCHANGE_IO_THREADS\` says otherwise) and its per-organisation rate limit raised to
$EXCHANGE_ORG_RATE_LIMIT requests/s so that it never refuses (its bookkeeping still runs), nginx with \`worker_processes auto\` ($nginx_worker_count workers),
\`access_log off\`, the same server certificate, key and client CA bundle, \`ssl_verify_client on\`, TLS 1.2 and 1.3.
Server CPU is the user + system time of the server's processes (all threads) over the measured window: per
request, and in cores (CPU seconds per second); loadgen's is over its whole run, warm-up included.

| server | requests/s | p50 ms | p90 ms | p99 ms | server CPU µs/request | server cores | loadgen cores | errors | non-2xx | TLS |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|
MD
for name in "${names[@]}"; do
  tls=$(bench_json_field "$(head -1 "$work/$name.runs")" tls)
  echo "| ${label[$name]} | $(integer "$(median "$name" rps)") | $(median "$name" p50_ms) | $(median "$name" p90_ms)" \
    "| $(median "$name" p99_ms) | $(median "$name" server_cpu_us) | $(median "$name" server_cores)" \
    "| $(median "$name" loadgen_cores) | $(total "$name" errors) | $(total "$name" non_2xx) | $tls |"
done
cat <<MD

$(if [ -n "$invalid" ]; then
  echo "**NOT VALID — some requests failed or were refused, so these figures do not measure what they claim: ${invalid%; }.**"
else
  echo "**exchanged reaches $json_share % of nginx's rate with JSON and $protobuf_share % with Protobuf: $(verdict "$json_share").**"
fi)

Round by round, the same shares vary with what else ran: JSON $(round_shares exchanged_json); Protobuf
$(round_shares exchanged_protobuf).

CPUs kept busy by server + loadgen together (of $(nproc)): $(busy nginx) with nginx, $(busy exchanged_json) with exchanged
(JSON), $(busy exchanged_protobuf) with exchanged (Protobuf).
$([ "$crowded" = 1 ] && echo "
**Caution: other work took CPU from this run.** nginx and loadgen together got only $(busy nginx) of $(nproc) CPUs,
where on a quiet machine they use them all; nginx's rate, and with it the share above, is then not reliable:
rerun on a quiet machine.")

<details><summary>Every run</summary>

| round | server | requests/s | p50 ms | p99 ms | server CPU µs/request | server cores | loadgen cores |
|---:|---|---:|---:|---:|---:|---:|---:|
MD
for ((round = 1; round <= runs; round++)); do
  for name in "${names[@]}"; do
    line=$(grep -F "\"round\":$round," "$work/$name.runs")
    echo "| $round | $name | $(integer "$(bench_json_field "$line" rps)") | $(bench_json_field "$line" p50_ms)" \
      "| $(bench_json_field "$line" p99_ms) | $(bench_json_field "$line" server_cpu_us)" \
      "| $(bench_json_field "$line" server_cores) | $(bench_json_field "$line" loadgen_cores) |"
  done
done
echo
echo "</details>"
if [ ${#profiled[@]} -gt 0 ]; then
  cat <<MD

### Where each server's CPU time goes

One more run of each under \`perf record -e cpu-clock\` (a timer, sampled $duration s; self time, no call chains),
scaled to the median server CPU time per request above. Library rows of at least 1 %, then function rows of at least 1 %.
MD
  for name in "${profiled[@]}"; do
    us=$(median "$name" server_cpu_us)
    echo
    echo "**${label[$name]}** — $us µs of server CPU per request"
    echo
    echo "| library | share | µs/request |"
    echo "|---|---:|---:|"
    bench_profile_rows "$work/$name.perf" dso 1 "$us"
    echo
    echo "| function | share | µs/request |"
    echo "|---|---:|---:|"
    bench_profile_rows "$work/$name.perf" sym 1 "$us"
  done
fi
if [ -n "$invalid" ]; then
  log "not valid: ${invalid%; }"
  exit 1
fi
