#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# scripts/demo, run as a new user runs it: it must end with exit 0 and show
# each coalition workflow doing what it should (vetting with two approvals,
# a suspension refused then lifted, a dispute that flips a status, a
# retraction, a sighting, a lookup without a mirror, the signed report), with
# whole JSON documents and no step whose failure is hidden.
set -uo pipefail
# shellcheck source=../support/e2e.sh
source "$(dirname "$0")/../support/e2e.sh"
e2e_sandbox="$dir/sb"  # scripts/demo starts it; the preamble takes it down
expect() {  # TEXT: the demo's output must contain it
  if ! grep -qF -- "$1" "$dir/plain"; then
    echo "FAIL: the demo's output lacks: $1" >&2
    failures=$((failures + 1))
  fi
}

"$root/scripts/demo" "$dir/sb" >"$dir/out" 2>&1
rc=$?
sed 's/\x1b\[[0-9;]*m//g' "$dir/out" >"$dir/plain"
if [ "$rc" != 0 ]; then
  echo "FAIL: scripts/demo exited $rc; its last lines:" >&2
  tail -20 "$dir/plain" >&2
  exit 1
fi
for script_text in '|| true' 'head -c'; do
  if grep -qF -- "$script_text" "$root/scripts/demo"; then
    echo "FAIL: scripts/demo uses '$script_text'" >&2
    failures=$((failures + 1))
  fi
done
expect "nobody\$ exchangectl enroll --fetch"
expect "is still pending: it needs two admins' approval"
expect "approved by  admin1 admin2"
expect "approved: certificate in $dir/sb/acme/cert.pem"
expect "acme is now suspended"
expect "organisation acme is suspended"
expect "acme is now active"
expect "0123456789abcdef0123456789abcdef: MATCH md5 0123456789abcdef0123456789abcdef: disputed"
expect "retracted (a tombstone, not a match)"
expect "sightings: 1 ok, 0 rejected"
expect "sightings,all,action,reported_to_authority,1"
expect "\"rule\": \"near\","
expect "application.approve    coalition    admin     admin2"
expect "openssl agrees: Signature Verified Successfully"
expect "scripts/sandbox down $dir/sb"
expect "The web console: the same identities in a browser (https://localhost:"
expect "Its answer: HTTP 200, text/html; charset=utf-8, with 1 CSP header"
expect "import $dir/sb/admin1.p12 (passphrase: demo-passphrase)"
expect "6 signals in 1 batch to grooming-signals: 2 created, 0 contribution_added, 3 unchanged, 1 rejected"
expect "domain 'co.uk' is a public suffix"
expect '"match": "look_alike"'
expect "category 'Z9-nonsense' is not in the taxonomy of csam-known; allowed: A1, A2, B1, B2"
expect "MATCH md5 00000000000000000000000000000a11: active, categories A1"
# Every JSON document the demo printed is whole: each block that opens at the
# indentation of a step's output parses as JSON.
python3 - "$dir/plain" <<'PY' || failures=$((failures + 1))
import json, sys
lines = open(sys.argv[1]).read().split("\n")
docs, current = 0, None
for line in lines:
    if current is None and line in ("   {", "   ["):
        current = [line]
    elif current is not None:
        current.append(line)
        if line in ("   }", "   ]"):
            json.loads("\n".join(current))
            docs += 1
            current = None
if current is not None or docs < 8:
    sys.exit("FAIL: a JSON document was cut or missing (%d whole ones)" % docs)
PY
echo "demo: $([ "$failures" = 0 ] && echo "every workflow shown" || echo "$failures failures")"
[ "$failures" = 0 ]
