#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Starts a second exchanged on a sandbox's database and keys (scale-out: two
# stateless processes, one PostgreSQL). Prints SECOND_* export lines; the
# process is stopped by `scripts/sandbox down DIR` (its pid file is in DIR).
#   scripts/lib/second-exchanged.sh DIR [exchanged serve flags...]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(cd "${1:?usage: second-exchanged.sh SANDBOX_DIR}" && pwd)
source "$dir/env"
source "$root/scripts/lib/ports.sh"
api=$(free_port)
ops=$(free_port)
enroll=$(free_port)
EXCHANGE_DATABASE_URL="$DATABASE_URL" EXCHANGE_TLS_CERT="$dir/pki/server.pem" EXCHANGE_TLS_KEY="$dir/pki/server.key" \
EXCHANGE_CLIENT_CA="$dir/pki/ca-bundle.pem" EXCHANGE_LISTEN="127.0.0.1:$api" EXCHANGE_OPS_LISTEN="127.0.0.1:$ops" \
EXCHANGE_ENROLL_LISTEN="127.0.0.1:$enroll" EXCHANGE_ISSUING_CA_CERT="$dir/pki/issuing-ca.pem" \
EXCHANGE_ISSUING_CA_KEY="$dir/pki/issuing-ca.key" \
EXCHANGE_NAME="${EXCHANGE_ORIGIN%/*}" EXCHANGE_FEED_KEYS="$dir/keys/feed.key" \
EXCHANGE_FRESHNESS_KEY="$dir/keys/freshness.key" EXCHANGE_REPORT_KEY="$dir/keys/report.key" \
  nohup "${EXCHANGE_BIN_DIR:-$root/build/bin}/exchanged" serve "${@:2}" >"$dir/exchanged-2.log" 2>&1 &
echo $! >"$dir/exchanged-2.pid"
for _ in $(seq 1 200); do
  curl -fsS "http://127.0.0.1:$ops/readyz" >/dev/null 2>&1 && break
  sleep 0.05
done
echo "export SECOND_EXCHANGE_URL=https://localhost:$api"
echo "export SECOND_OPS_URL=http://127.0.0.1:$ops"
