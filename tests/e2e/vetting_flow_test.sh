#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The vetting flow as a new user runs it, with exchangectl against a sandbox:
# invite → enroll → one approval (pending) → second approval → fetch →
# whoami → suspend → refused → reinstate → works → revoke → refused and in
# the CRL; every step in the audit log, whose checkpoint verifies.
set -euo pipefail
# shellcheck source=../support/e2e.sh
source "$(dirname "$0")/../support/e2e.sh"

sandbox_up
ME=(--cert "$dir/acme/cert.pem" --key "$dir/acme/key.pem")

token=$("$X" admin invite "${A1[@]}" --org "Acme Social" --slug acme --contact trust@acme.example --output json |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
"$X" enroll --token "$token" --org "Acme Social" --legal-name "Acme Social, Inc." --domain acme.example \
  --contact trust@acme.example --legal-basis "US provider under 18 U.S.C. 2258A" --accept-principles \
  --out "$dir/acme" --output json >"$dir/enroll.json"
app=$(python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["status"] == "pending"; print(d["application_id"])' "$dir/enroll.json")
[ "$(stat -c %a "$dir/acme/key.pem")" = 600 ] || die "the private key is not 0600"

"$X" admin approve "$app" "${A1[@]}" --reason "documents checked" >/dev/null
rc=0
"$X" enroll --fetch --out "$dir/acme" --output json >"$dir/fetch.json" || rc=$?
[ "$rc" = 7 ] || die "enroll --fetch while pending exited $rc, not 7"
grep -q '"status": "pending"' "$dir/fetch.json" || die "one approval issued a certificate"
"$X" admin approve "$app" "${A1[@]}" --reason "again" 2>/dev/null && die "the same admin approved twice"
"$X" admin approve "$app" "${A2[@]}" --reason "second admin agrees" >/dev/null
"$X" enroll --fetch --out "$dir/acme" >/dev/null
[ -s "$dir/acme/cert.pem" ] || die "no certificate after two approvals"
"$X" whoami "${ME[@]}" --output json | grep -q '"org": "acme"' || die "whoami with the new credential"

"$X" admin suspend acme "${A1[@]}" --reason "investigation" >/dev/null
"$X" whoami "${ME[@]}" 2>"$dir/err" && die "a suspended member was served"
grep -q suspended "$dir/err" || die "the refusal does not say why: $(cat "$dir/err")"
"$X" admin reinstate acme "${A2[@]}" --reason "cleared" >/dev/null
"$X" whoami "${ME[@]}" >/dev/null || die "a reinstated member was refused"
"$X" admin revoke acme "${A1[@]}" --reason "left the coalition" >/dev/null
"$X" whoami "${ME[@]}" 2>/dev/null && die "a revoked member was served"
serial=$(openssl x509 -in "$dir/acme/cert.pem" -noout -serial | cut -d= -f2)
"$X" admin crl "${A1[@]}" --out "$dir/crl.pem"
openssl crl -in "$dir/crl.pem" -noout -text | grep -qi "$serial" || die "the revoked certificate is not in the CRL"
openssl crl -in "$dir/crl.pem" -CAfile "$dir/sb/pki/ca-bundle.pem" -noout 2>&1 | grep -q "verify OK" ||
  die "the CRL's signature does not verify"

"$X" audit verify --cert "$AUDITOR_CERT" --key "$AUDITOR_KEY"
actions=$("$X" audit list --cert "$AUDITOR_CERT" --key "$AUDITOR_KEY" --last 100 | awk '{print $3}' | tr '\n' ' ')
for action in invitation.create application.submit application.approve credential.issue org.suspend org.reinstate org.revoke; do
  case " $actions " in *" $action "*) ;; *) die "audit log lacks $action (has: $actions)" ;; esac
done
echo "vetting flow: every step as expected, and in the verified audit log"
echo "1 passed, 0 failed"
