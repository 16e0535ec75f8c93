#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The feed checked by tools/verify_feed.py, which shares no code with
# exchanged: against the vectors, then against a live sandbox with appends
# from two exchanged processes (through the entries and proof endpoints, and
# as C2SP tlog-tiles), then a forged checkpoint must be refused.
set -euo pipefail
# shellcheck source=../support/e2e.sh
source "$(dirname "$0")/../support/e2e.sh"
vectors=${EXCHANGE_VECTORS_DIR:-$root/../shared/vectors}
e2e_on_exit 'kill $(cat "$dir/second.pid" 2>/dev/null) 2>/dev/null'

python3 "$root/tools/verify_feed.py" vectors "$vectors/merkle"

sandbox_up
"$root/scripts/lib/second-exchanged.sh" "$dir/sb" >"$dir/second.env"
source "$dir/second.env"

submit() {  # URL CERT KEY VALUE
  curl -fsS --cacert "$EXCHANGE_CA" --cert "$2" --key "$3" -H 'Content-Type: application/json' \
    -d "{\"signals\":[{\"kind\":\"sha256\",\"value\":\"$4\",\"category\":\"A1\"}]}" \
    "$1/v1/collections/csam-known/signals" >/dev/null
}
for i in $(seq 1 20); do
  submit "$EXCHANGE_URL" "$ALPHA_CERT" "$ALPHA_KEY" "$(printf '%064x' "$i")"
  submit "$SECOND_EXCHANGE_URL" "$BETA_CERT" "$BETA_KEY" "$(printf '%064x' $((i + 1000)))"
done

args=(--server "$EXCHANGE_URL" --ca "$EXCHANGE_CA" --cert "$ALPHA_CERT" --key "$ALPHA_KEY" --vkey "$FEED_VKEY")
python3 "$root/tools/verify_feed.py" feed "${args[@]}" --log /v1/collections/csam-known --origin "$EXCHANGE_ORIGIN" \
  --old 1 --old 7 --old 39
python3 "$root/tools/verify_feed.py" feed --server "$SECOND_EXCHANGE_URL" --ca "$EXCHANGE_CA" \
  --cert "$AUDITOR_CERT" --key "$AUDITOR_KEY" --vkey "$FEED_VKEY" --log /v1/audit

# The same logs read as C2SP tlog-tiles, once csam-known spans two levels of
# tiles (more than 256 entries: full and partial level-0 tiles, a level-1 tile).
batch=$(python3 -c 'import json; print(json.dumps({"signals": [{"kind": "sha256", "value": "%064x" % (5000 + i),
  "category": "A1"} for i in range(600)]}))')
curl -fsS --cacert "$EXCHANGE_CA" --cert "$ALPHA_CERT" --key "$ALPHA_KEY" -H 'Content-Type: application/json' \
  -d "$batch" "$EXCHANGE_URL/v1/collections/csam-known/signals" >/dev/null
python3 "$root/tools/verify_feed.py" feed "${args[@]}" --log /v1/collections/csam-known --origin "$EXCHANGE_ORIGIN" \
  --tiles --old 1 --old 256 --old 257 | tee "$dir/tiles.out"
grep -q "tile levels agree and hash to the root" "$dir/tiles.out"
grep -q "entries of the entry bundles hash to the level-0 tiles" "$dir/tiles.out"
python3 "$root/tools/verify_feed.py" feed --server "$SECOND_EXCHANGE_URL" --ca "$EXCHANGE_CA" \
  --cert "$AUDITOR_CERT" --key "$AUDITOR_KEY" --vkey "$FEED_VKEY" --log /v1/audit --tiles

# A key the exchange does not hold must not verify its checkpoints.
"$bin/exchanged" keys generate --name "${FEED_VKEY%%+*}" --out "$dir/impostor.key" >"$dir/impostor.vkey"
if python3 "$root/tools/verify_feed.py" feed --server "$EXCHANGE_URL" --ca "$EXCHANGE_CA" --cert "$ALPHA_CERT" \
     --key "$ALPHA_KEY" --vkey "$(cat "$dir/impostor.vkey")" --log /v1/collections/csam-known 2>"$dir/refusal"; then
  echo "FAIL: a checkpoint verified with a key the exchange does not hold" >&2
  exit 1
fi
grep -q "not signed by" "$dir/refusal" || { echo "FAIL: refused for the wrong reason:" >&2; cat "$dir/refusal" >&2; exit 1; }
echo "a checkpoint does not verify with another key of the same name: good"
echo "1 passed, 0 failed"
