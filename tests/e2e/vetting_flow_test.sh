#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The vetting flow as a new user runs it, with exchangectl against a sandbox:
# invite → enroll → one approval (pending) → second approval → fetch →
# whoami → suspend → refused → reinstate → works → revoke → refused and in
# the CRL; every step in the audit log, whose checkpoint verifies.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
X="${EXCHANGE_BIN_DIR:-$root/build/bin}/exchangectl"
dir=$(mktemp -d)
trap '"$root/scripts/sandbox" down "$dir/sb" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$root/scripts/sandbox" up "$dir/sb" >/dev/null
source "$dir/sb/env"
A1=(--cert "$ADMIN1_CERT" --key "$ADMIN1_KEY")
A2=(--cert "$ADMIN2_CERT" --key "$ADMIN2_KEY")
ME=(--cert "$dir/acme/cert.pem" --key "$dir/acme/key.pem")

token=$("$X" admin invite "${A1[@]}" --org "Acme Social" --slug acme --contact trust@acme.example --output json |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
"$X" enroll --token "$token" --org "Acme Social" --legal-name "Acme Social, Inc." --domain acme.example \
  --contact trust@acme.example --legal-basis "US provider under 18 U.S.C. 2258A" --accept-principles \
  --out "$dir/acme" --output json >"$dir/enroll.json"
app=$(python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["status"] == "pending"; print(d["application_id"])' "$dir/enroll.json")
[ "$(stat -c %a "$dir/acme/key.pem")" = 600 ] || fail "the private key is not 0600"

"$X" admin approve "$app" "${A1[@]}" --reason "documents checked" >/dev/null
rc=0
"$X" enroll --fetch --out "$dir/acme" --output json >"$dir/fetch.json" || rc=$?
[ "$rc" = 7 ] || fail "enroll --fetch while pending exited $rc, not 7"
grep -q '"status": "pending"' "$dir/fetch.json" || fail "one approval issued a certificate"
"$X" admin approve "$app" "${A1[@]}" --reason "again" 2>/dev/null && fail "the same admin approved twice"
"$X" admin approve "$app" "${A2[@]}" --reason "second admin agrees" >/dev/null
"$X" enroll --fetch --out "$dir/acme" >/dev/null
[ -s "$dir/acme/cert.pem" ] || fail "no certificate after two approvals"
"$X" whoami "${ME[@]}" --output json | grep -q '"org": "acme"' || fail "whoami with the new credential"

"$X" admin suspend acme "${A1[@]}" --reason "investigation" >/dev/null
"$X" whoami "${ME[@]}" 2>"$dir/err" && fail "a suspended member was served"
grep -q suspended "$dir/err" || fail "the refusal does not say why: $(cat "$dir/err")"
"$X" admin reinstate acme "${A2[@]}" --reason "cleared" >/dev/null
"$X" whoami "${ME[@]}" >/dev/null || fail "a reinstated member was refused"
"$X" admin revoke acme "${A1[@]}" --reason "left the coalition" >/dev/null
"$X" whoami "${ME[@]}" 2>/dev/null && fail "a revoked member was served"
serial=$(openssl x509 -in "$dir/acme/cert.pem" -noout -serial | cut -d= -f2)
"$X" admin crl "${A1[@]}" --out "$dir/crl.pem"
openssl crl -in "$dir/crl.pem" -noout -text | grep -qi "$serial" || fail "the revoked certificate is not in the CRL"
openssl crl -in "$dir/crl.pem" -CAfile "$dir/sb/pki/ca-bundle.pem" -noout 2>&1 | grep -q "verify OK" ||
  fail "the CRL's signature does not verify"

"$X" audit verify --cert "$AUDITOR_CERT" --key "$AUDITOR_KEY"
actions=$("$X" audit list --cert "$AUDITOR_CERT" --key "$AUDITOR_KEY" --last 100 | awk '{print $3}' | tr '\n' ' ')
for action in invitation.create application.submit application.approve credential.issue org.suspend org.reinstate org.revoke; do
  case " $actions " in *" $action "*) ;; *) fail "audit log lacks $action (has: $actions)" ;; esac
done
echo "vetting flow: every step as expected, and in the verified audit log"
echo "1 passed, 0 failed"
