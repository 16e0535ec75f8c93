#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A real Prometheus scrapes a sandbox's operations listener; series are read
# back with PromQL through its HTTP API. promtool checks the exposition.
set -euo pipefail
# shellcheck source=../support/e2e.sh
source "$(dirname "$0")/../support/e2e.sh"
chmod 755 "$dir"
e2e_on_exit '[ -f "$dir/prometheus.pid" ] && kill "$(cat "$dir/prometheus.pid")" 2>/dev/null'

sandbox_up
# Refresh the database-backed gauges often enough for a short test.
kill "$(cat "$dir/sb/exchanged.pid")"
sleep 0.5
curl -fsS --cacert "$EXCHANGE_CA" --cert "$ALPHA_CERT" --key "$ALPHA_KEY" -o /dev/null "$EXCHANGE_URL/v1/whoami" 2>/dev/null &&
  die "the first exchanged is still serving"
second=$("$root/scripts/lib/second-exchanged.sh" "$dir/sb" --metrics-period=500)
eval "$second"

curl -fsS --cacert "$EXCHANGE_CA" --cert "$ALPHA_CERT" --key "$ALPHA_KEY" -H 'Content-Type: application/json' \
  -d '{"signals": [{"kind": "md5", "value": "d41d8cd98f00b204e9800998ecf8427e", "category": "A1"}]}' \
  "$SECOND_EXCHANGE_URL/v1/collections/csam-known/signals" >/dev/null

curl -fsS "$SECOND_OPS_URL/metrics" >"$dir/metrics.txt"
promtool check metrics <"$dir/metrics.txt" || die "promtool rejects /metrics"

source "$root/scripts/lib/ports.sh"
port=$(free_port)
ops=${SECOND_OPS_URL#http://}
cat >"$dir/prometheus.yml" <<YML
global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: exchanged
    static_configs: [{targets: ["$ops"]}]
YML
prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
  --web.listen-address="127.0.0.1:$port" >"$dir/prometheus.log" 2>&1 &
echo $! >"$dir/prometheus.pid"

query() {  # PROMQL -> the first value, or empty
  curl -fsS --get "http://127.0.0.1:$port/api/v1/query" --data-urlencode "query=$1" 2>/dev/null |
    python3 -c 'import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if r else "")' 2>/dev/null || true
}
for _ in $(seq 1 60); do
  [ "$(query 'up{job="exchanged"}')" = "1" ] && [ -n "$(query 'exchange_signals{collection="csam-known",kind="md5",status="active"}')" ] &&
    [ -n "$(query 'exchange_checkpoint_timestamp_seconds{log="csam-known"}')" ] && break
  sleep 0.5
done
[ "$(query 'up{job="exchanged"}')" = "1" ] || { tail "$dir/prometheus.log" >&2; die "Prometheus does not see exchanged up"; }
for promql in 'sum(exchange_http_requests_total{route="/v1/collections/{c}/signals",code="2xx"})' \
              'exchange_signals{collection="csam-known",kind="md5",status="active"}' \
              'exchange_log_entries{log="csam-known"}' \
              'exchange_submit_batch_signals_count' \
              'exchange_build_info' \
              'exchange_db_pool_queue_limit' \
              'process_cpu_seconds_total{job="exchanged"}' \
              'process_resident_memory_bytes{job="exchanged"}' \
              'process_open_fds{job="exchanged"}'; do
  value=$(query "$promql")
  [ -n "$value" ] && [ "$value" != "0" ] || die "no value for $promql"
  echo "$promql = $value"
done
# The checkpoint's age as the alert computes it: a few seconds to a minute.
age=$(query 'time() - max by (log) (exchange_checkpoint_timestamp_seconds{log="csam-known"})')
python3 -c 'import sys; a = float(sys.argv[1]); sys.exit(0 if -2 <= a <= 120 else 1)' "${age:-x}" ||
  die "checkpoint age from the timestamp gauge is '$age'"
echo "checkpoint age = $age s"
echo "1 passed, 0 failed"
