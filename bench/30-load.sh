#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Mixed load on loopback for a bounded time: MEMBERS members syncing verified
# mirrors (exchangectl sync --follow), SUBMITTERS members submitting batches,
# LOOKERS clients looking signals up. At the end every mirror must equal the
# server's state (same signed size and root, `mirror verify` passes) and no
# request may have failed except deliberate 429s.
#
#   bench/30-load.sh                 the long variant, a Markdown section on stdout (scripts/bench)
#   bench/30-load.sh --check         a short variant for scripts/test; exits non-zero on any failure
# Knobs: LOAD_SECONDS (60; --check: 12), LOAD_MEMBERS (50; 10), LOAD_SUBMITTERS (5; 2), LOAD_LOOKERS (10; 4).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/lib/common.sh"
bin=${EXCHANGE_BIN_DIR:-$root/build/bin}
check=0
[ "${1:-}" = "--check" ] && check=1
if [ "$check" = 1 ]; then
  seconds=${LOAD_SECONDS:-12} members=${LOAD_MEMBERS:-10} submitters=${LOAD_SUBMITTERS:-2} lookers=${LOAD_LOOKERS:-4}
else
  seconds=${LOAD_SECONDS:-60} members=${LOAD_MEMBERS:-50} submitters=${LOAD_SUBMITTERS:-5} lookers=${LOAD_LOOKERS:-10}
  "$root/scripts/build" --target exchanged --target exchangectl --target loadgen >&2
fi
log() { echo "load: $*" >&2; }
fail() { echo "load: FAIL: $*" >&2; exit 1; }

started=$(date -u '+%Y-%m-%d %H:%M UTC')
work=$(mktemp -d)
chmod 755 "$work"
pids=()
cleanup() {
  set +e
  for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null; done
  wait 2>/dev/null
  [ -e "$work/sandbox/.sandbox" ] && "$root/scripts/sandbox" down "$work/sandbox" >&2
  rm -rf "$work"
}
trap cleanup EXIT
"$root/scripts/sandbox" up "$work/sandbox" >&2
source "$work/sandbox/env"
who_cert() { [ $(($1 % 2)) = 0 ] && echo "$ALPHA_CERT" || echo "$BETA_CERT"; }
who_key() { [ $(($1 % 2)) = 0 ] && echo "$ALPHA_KEY" || echo "$BETA_KEY"; }

# Something to sync and to look up before the clock starts.
seed_value=$(printf '%064x' 1)
curl -fsS --cacert "$EXCHANGE_CA" --cert "$ALPHA_CERT" --key "$ALPHA_KEY" -H 'Content-Type: application/json' \
  -d "{\"signals\": [{\"kind\": \"sha256\", \"value\": \"$seed_value\", \"category\": \"A1\"}]}" \
  "$EXCHANGE_URL/v1/collections/csam-known/signals" >/dev/null

log "$members members syncing, $submitters submitting, $lookers looking up, for ${seconds}s"
for ((m = 0; m < members; m++)); do
  "$bin/exchangectl" sync --collection csam-known --mirror "$work/mirror-$m" --follow 1 \
    --cert "$(who_cert "$m")" --key "$(who_key "$m")" >"$work/sync-$m.log" 2>&1 &
  pids+=($!)
done
for ((s = 0; s < submitters; s++)); do
  (
    n=0
    end=$((SECONDS + seconds))
    while [ "$SECONDS" -lt "$end" ]; do
      body="{\"signals\": ["
      for ((i = 0; i < 100; i++)); do
        [ "$i" -gt 0 ] && body+=","
        body+="{\"kind\": \"sha256\", \"value\": \"$(printf '%016x%048x' "$s" $((n * 100 + i + 2)))\", \"category\": \"A1\"}"
      done
      body+="]}"
      curl -sS -o /dev/null -w '%{http_code} %{time_total}\n' --cacert "$EXCHANGE_CA" --cert "$(who_cert "$s")" \
        --key "$(who_key "$s")" -H 'Content-Type: application/json' -H "Idempotency-Key: load-$s-$n" -d "$body" \
        "$EXCHANGE_URL/v1/collections/csam-known/signals" >>"$work/submit-$s.txt" || echo "000 0" >>"$work/submit-$s.txt"
      n=$((n + 1))
    done
  ) &
  pids+=($!)
done
lookup="$EXCHANGE_URL/v1/collections/csam-known/signals/sha256/$seed_value"
"$bin/loadgen" --url "$lookup" --ca "$EXCHANGE_CA" --cert "$ALPHA_CERT" --key "$ALPHA_KEY" --connections "$lookers" \
  --threads 1 --warmup 1 --duration "$seconds" >"$work/lookups.json"
sleep 2
for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null || true; done
wait "${pids[@]}" 2>/dev/null || true
pids=()

# Every mirror catches up once more, then must equal the server.
size=$(curl -fsS --cacert "$EXCHANGE_CA" --cert "$ALPHA_CERT" --key "$ALPHA_KEY" "$EXCHANGE_URL/v1/collections/csam-known/checkpoint" | sed -n 2p)
# The mirrors require the sandbox's witness: let it cosign the final tree first (on a loaded
# machine its round may take longer than the 10 s a sync waits for it).
for _ in $(seq 1 120); do
  witnessed=$(curl -fsS --cacert "$EXCHANGE_CA" --cert "$ALPHA_CERT" --key "$ALPHA_KEY" \
    "$EXCHANGE_URL/v1/collections/csam-known/checkpoint?witnessed=1" 2>/dev/null | sed -n 2p || true)
  [ "$witnessed" = "$size" ] && break
  sleep 0.25
done
sync_errors=0
for ((m = 0; m < members; m++)); do
  "$bin/exchangectl" sync --collection csam-known --mirror "$work/mirror-$m" --cert "$(who_cert "$m")" \
    --key "$(who_key "$m")" >>"$work/sync-$m.log" 2>&1 || sync_errors=$((sync_errors + 1))
  "$bin/exchangectl" mirror verify "$work/mirror-$m" >>"$work/sync-$m.log" 2>&1 || fail "mirror $m does not verify"
  mirrored=$(sed -n 2p "$work/mirror-$m/checkpoint" 2>/dev/null || echo "?")
  [ "$mirrored" = "$size" ] || fail "mirror $m holds $mirrored entries, the server $size"
done
[ "$sync_errors" = 0 ] || fail "$sync_errors final syncs failed"
refused=$( (grep -l "exit 4\|evidence" "$work"/sync-*.log 2>/dev/null || true) | wc -l)
[ "$refused" = 0 ] || fail "$refused mirrors refused the feed"

cat "$work"/submit-*.txt >"$work/submits.txt"
batches=$(wc -l <"$work/submits.txt")
ok=$(awk '$1 == 200' "$work/submits.txt" | wc -l)
limited=$(awk '$1 == 429' "$work/submits.txt" | wc -l)
bad=$(awk '$1 != 200 && $1 != 429' "$work/submits.txt" | wc -l)
[ "$bad" = 0 ] || fail "$bad submissions failed (not 200 or 429)"
lookups=$(cat "$work/lookups.json")
[ "$(bench_json_field "$lookups" errors)" = 0 ] || fail "lookups had transport errors: $lookups"
non_2xx=$(bench_json_field "$lookups" non_2xx)
submit_p50=$(awk '$1 == 200 { print $2 * 1000 }' "$work/submits.txt" | bench_median)
submit_p99=$(awk '$1 == 200 { print $2 * 1000 }' "$work/submits.txt" | sort -g | awk '{ v[NR] = $1 } END { i = int(NR * 0.99); if (i < 1) i = 1; if (NR) print v[i] }')
metrics=$(curl -fsS "$METRICS_URL")
entries_p99=$(awk -v route='/v1/collections/{c}/entries' '
  index($0, "exchange_http_request_duration_seconds_bucket{") == 1 && index($0, "route=\"" route "\"") {
    match($0, /le="[^"]*"/); le = substr($0, RSTART + 4, RLENGTH - 5); n[le] = $2; if (le == "+Inf") total = $2 }
  END { split("0.0005 0.001 0.0025 0.005 0.01 0.025 0.05 0.1 0.25 0.5 1 2.5 5", b, " ");
        for (i = 1; i <= 13; i++) if (n[b[i]] >= 0.99 * total) { print b[i] * 1000; exit } print ">5000" }' <<<"$metrics")
log "server size $size; $batches batches ($ok ok, $limited rate-limited); all $members mirrors equal the server"

if [ "$check" = 1 ]; then
  echo "load: $members mirrors equal the server after ${seconds}s of mixed load; $ok batches, $limited 429s"
  echo "1 passed, 0 failed"
  exit 0
fi
cat <<MD
## Load: members syncing, submitting and looking up at once

Measured by \`bench/30-load.sh\` on $started; one exchanged and one PostgreSQL, every client on the same 2-core
machine, for ${seconds} s.

$(bench_machine)

- $members members each keep a verified mirror with \`exchangectl sync --follow 1\`; $submitters submit batches
  of 100 signals back to back (curl, each batch with an Idempotency-Key); $lookers look one signal up with
  \`loadgen\` ($lookers keep-alive connections).
- At the end every mirror synced once more and equals the server: $size entries, \`mirror verify\` passing on all
  $members. No request failed; $limited batches were answered 429 (per-organisation rate limit), $(
  [ "$non_2xx" = 0 ] && echo "no lookup was refused" || echo "$non_2xx lookups were answered non-2xx (429s)").

| route | requests | p50 ms | p99 ms |
|---|---:|---:|---:|
| POST /v1/collections/{c}/signals (batches of 100) | $ok | $submit_p50 | $submit_p99 |
| GET /v1/collections/{c}/signals/{kind}/{value} | $(bench_json_field "$lookups" requests) | $(bench_json_field "$lookups" p50_ms) | $(bench_json_field "$lookups" p99_ms) |
| GET /v1/collections/{c}/entries (from the server's histogram) | $(awk '/^exchange_http_requests_total\{code="2xx",route="\/v1\/collections\/\{c\}\/entries"\}/ { print $2 }' <<<"$metrics") | | ≤ $entries_p99 |
MD
