#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# exchangectl at its edges, as a user meets them against a sandbox (issue 13):
# errors that say what happened and their exit codes, mirror file modes,
# who acted in `audit list`, `enroll --fetch` while pending, `lookup` without
# a mirror, help text and messages, and what the sandbox tells exchangectl to
# trust. Every check runs; the failures are listed at the end.
set -uo pipefail
# shellcheck source=../support/e2e.sh
source "$(dirname "$0")/../support/e2e.sh"
json() { python3 -c "import json, sys; d = json.load(open('$dir/out')); $1"; }

sandbox_up

# --- errors people can act on, with their own exit codes ---
run whoami
check "no client certificate: exit 6 (got $rc)" test "$rc" = 6
check "no client certificate: says so ($err)" has "$err" "the server refused our client certificate"
check "no client certificate: says how to give one" has "$err" "--cert"
run whoami --cert "$dir/sb/pki/foreign/client.pem" --key "$dir/sb/pki/foreign/client.key"
check "a certificate from another CA: exit 6 (got $rc)" test "$rc" = 6
check "a certificate from another CA: names it ($err)" has "$err" "refused our client certificate"
check "  ... and the file" has "$err" "foreign/client.pem"
run whoami "${AL[@]}" --server https://localhost:1
check "nothing listening: exit 3, unavailable (got $rc)" test "$rc" = 3
run whoami --cert "$dir/missing-cert.pem" --key "$ALPHA_KEY"
check "a missing certificate file: exit 2 (got $rc)" test "$rc" = 2
check "a missing certificate file is named ($err)" has "$err" "--cert file $dir/missing-cert.pem: No such file or directory"
run whoami --cert "$ALPHA_CERT" --key "$dir/missing-key.pem"
check "a missing key file is named ($err)" has "$err" "--key file $dir/missing-key.pem: No such file or directory"
run sync --mirror "$dir/m"
check "sync without --collection: exit 2 (got $rc)" test "$rc" = 2
check "sync without --collection names the flag ($err)" has "$err" "--collection C is required"
run report annual --year 2026 "${AU[@]}"
check "report without --out names the flag ($err)" has "$err" "--out FILE is required"
run submit --collection csam-known "$dir/no-such.csv" "${AL[@]}"
check "cannot open FILE gives the reason ($err)" has "$err" "cannot open $dir/no-such.csv: No such file or directory"
run match --mirror "$dir/m" --file "$dir/no-such.bin"
run sync --collection csam-known --mirror "$dir/m" "${AL[@]}"
check "sync into a new mirror ($err)" test "$rc" = 0
run match --mirror "$dir/m" --file "$dir/no-such.bin"
check "match: cannot open FILE gives the reason ($err)" has "$err" "cannot open $dir/no-such.bin: No such file or directory"

# --- mirror files are private ---
check "the mirror directory is 0700 ($(stat -c %a "$dir/m"))" test "$(stat -c %a "$dir/m")" = 700
for f in "$dir"/m/*; do
  check "mirror file $(basename "$f") is 0600 ($(stat -c %a "$f"))" test "$(stat -c %a "$f")" = 600
done

# --- plurals and paths in messages ---
printf 'kind,value,category\nmd5,d41d8cd98f00b204e9800998ecf8427e,A1\n' >"$dir/one.csv"
run submit --collection csam-known "$dir/one.csv" "${AL[@]}"
check "submit of one signal: 1 batch, not 1 batches ($out)" has "$out" "1 signal in 1 batch to csam-known"

# --- submit checks each item with the exchange's own rules before it sends anything ---
printf 'kind,value,category\nmd5,%032x,A1\nmd5,%032x,Z9\n' 1 2 >"$dir/taxonomy.csv"
run submit --collection csam-known "$dir/taxonomy.csv" --output json "${AL[@]}"
check "submit with a category outside the taxonomy: exit 1 ($rc)" test "$rc" = 1
check "  ... the item is held back, never sent ($out)" has "$out" '"rejected": 1, "bad_lines": 0'
check "  ... counted as held back ($out)" has "$out" '"held_back": 1}'
check "  ... the other is sent ($out)" has "$out" '"created": 1'
check "  ... with the exchange's own message ($err)" has "$err" "line 3: 00000000000000000000000000000002: category 'Z9' is not in"

# --- vetting: enroll --fetch while pending exits 7; paths without // ---
run admin invite "${A1[@]}" --org "Acme Social" --slug acme --contact trust@acme.example --output json
token=$(json 'print(d["token"])')
run enroll --token "$token" --org "Acme Social" --legal-name "Acme Social, Inc." --domain acme.example \
  --contact trust@acme.example --legal-basis "US provider under 18 U.S.C. 2258A" --accept-principles \
  --out "$dir/acme/" --output json
app=$(json 'print(d["application_id"])')
run enroll --fetch --out "$dir/acme/"
check "enroll --fetch while pending: exit 7 (got $rc)" test "$rc" = 7
check "enroll --fetch while pending says so ($out)" has "$out" "still pending"
run admin approve "$app" "${A1[@]}" --reason "documents checked"
run enroll --fetch --out "$dir/acme/" --output json
check "enroll --fetch --output json after one approval: exit 7 (got $rc)" test "$rc" = 7
check "  ... status pending" json 'assert d["status"] == "pending"'
run admin approve "$app" "${A2[@]}" --reason "second admin agrees"
run enroll --fetch --out "$dir/acme/"
check "enroll --fetch once approved: exit 0 (got $rc: $err)" test "$rc" = 0
check "paths printed without // ($out)" has "$out" "certificate in $dir/acme/cert.pem, key in $dir/acme/key.pem"

# --- audit list: who acted ---
run audit list "${AU[@]}" --last 100
check "audit list shows the holder of the acting credential ($out)" grep -qE 'application\.approve +coalition +admin +admin2' "$dir/out"
run audit list "${AU[@]}" --last 100 --output json
check "audit list --output json: organisation, role and holder of each approval" json '
ev = [e for e in d["events"] if e["action"] == "application.approve"]
assert [(e["actor_org"], e["actor_role"], e["actor_holder"]) for e in ev] == [("coalition", "admin", "admin1"), ("coalition", "admin", "admin2")], ev
assert all(int(e["actor_credential_id"]) > 0 and "index" in e for e in ev)
assert d["size"] >= len(d["events"]) > 0'

"$(dirname "$X")/exchanged" keys generate --name other.example --out "$dir/other.key" >/dev/null
run audit verify "${AU[@]}" --feed-vkey "$(cat "$dir/other.key.vkey")"
check "audit verify against a key that did not sign: exit 4, verification failed (got $rc: $err)" test "$rc" = 4
check "  ... and says so" has "$err" "the audit log does NOT verify"
run sync --collection csam-known --mirror "$dir/m" "${AL[@]}" --feed-vkey "$(cat "$dir/other.key.vkey")" --origin "$EXCHANGE_ORIGIN"
check "sync against a key that did not sign: exit 4 (got $rc: $err)" test "$rc" = 4
for d in "$dir"/m/evidence "$dir"/m/evidence/*; do
  check "evidence directory $(basename "$d") is 0700 ($(stat -c %a "$d"))" test "$(stat -c %a "$d")" = 700
done
for f in "$dir"/m/evidence/*/*; do
  check "evidence file $(basename "$f") is 0600 ($(stat -c %a "$f"))" test "$(stat -c %a "$f")" = 600
done

# --- lookup without a mirror: the shapes of match ---
run lookup --collection csam-known d41d8cd98f00b204e9800998ecf8427e "${AL[@]}"
check "lookup of a known md5: exit 0 (got $rc: $err)" test "$rc" = 0
check "lookup prints as match does ($out)" has "$out" "d41d8cd98f00b204e9800998ecf8427e: MATCH md5 d41d8cd98f00b204e9800998ecf8427e: active"
run lookup --collection csam-known 00000000000000000000000000000000 "${AL[@]}"
check "lookup of an unknown md5: exit 1 (got $rc)" test "$rc" = 1
check "  ... no match ($out)" has "$out" "00000000000000000000000000000000: no match"
run lookup --collection csam-known d41d8cd98f00b204e9800998ecf8427e --output json "${AL[@]}"
lookup_json=$(cat "$dir/out")
run sync --collection csam-known --mirror "$dir/m" "${AL[@]}"
run match --mirror "$dir/m" d41d8cd98f00b204e9800998ecf8427e --output json
check "lookup --output json has match's shape" python3 -c '
import json, sys
lookup, match = json.loads(sys.argv[1]), json.load(open(sys.argv[2]))
q, m = lookup["queries"][0], match["queries"][0]
assert set(m) <= set(q), (set(m), set(q))
assert q["input"] == m["input"] and q["matched"] is True and lookup["matched"] == 1
lm, mm = q["matches"][0], m["matches"][0]
assert {k: lm[k] for k in ("kind", "value", "rule")} == {k: mm[k] for k in ("kind", "value", "rule")}, (lm, mm)
assert lm["signal"]["value"] == mm["signal"]["value"] and lm["signal"]["status"] == "active"
' "$lookup_json" "$dir/out"
pdq=d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b79
near=$(python3 -c "print('%064x' % (int('$pdq', 16) ^ 0b1011011))")  # five bits off
printf 'kind,value,category\npdq,%s,A1\n' "$pdq" >"$dir/pdq.csv"
run submit --collection csam-known "$dir/pdq.csv" "${AL[@]}"
for _ in $(seq 1 50); do  # the exchange's PDQ index applies new signals within a second
  run lookup --collection csam-known --kind pdq "$near" --output json "${AL[@]}"
  [ "$rc" = 0 ] && break
  sleep 0.1
done
check "lookup of a PDQ hash 5 bits away: a near match at distance 5 ($out $err)" json '
m = d["queries"][0]["matches"]
assert [(x["value"], x["rule"], x["distance"]) for x in m] == [("'"$pdq"'", "near", 5)], m'

# --- help text ---
run admin --help
check "admin --help: one default for --ttl-hours ($(grep -- --ttl-hours "$dir/out"))" grep -qE -- '--ttl-hours VALUE .*\(default: 72\)$' "$dir/out"
check "admin --help: no (default 72) (default: 0)" bash -c "! grep -qF '(default 72)' '$dir/out'"
run --help
check "exchangectl --help: the command list is aligned" python3 -c '
import re, sys
lines = [l for l in open(sys.argv[1]) if re.match(r"  [a-z]", l)]
cols = {re.match(r"  [a-z]+ +", l).end() for l in lines}
assert len(lines) > 10 and len(cols) == 1, cols
assert any(l.split()[0] == "lookup" for l in lines)' "$dir/out"
check "exchangectl --help lists the exit codes" has "$out" "6 client certificate refused"

# --- the sandbox tells exchangectl which report key to trust ---
check "the sandbox env sets EXCHANGECTL_REPORT_KEY" test -s "${EXCHANGECTL_REPORT_KEY:-/nonexistent}"
run report annual --year "$(date -u +%Y)" --out "$dir/report.json" "${AU[@]}"
check "report annual verifies against the pinned key (exit $rc: $err)" test "$rc" = 0
check "report annual does not fall back to the server's key ($err)" bash -c "! grep -q 'key the exchange publishes' '$dir/err'"

e2e_finish
