#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The web console in a real browser: Debian's chromium, headless, driven by
# puppeteer-core (tests/browser/console_test.mjs) against a sandbox exchange
# (real PostgreSQL, real TLS). Each identity (two admins, the auditor, the
# members alpha and beta) gets its own HOME whose NSS database holds the
# coalition CA as a trusted authority and the identity's certificate, packed
# by `exchangectl credentials export-browser` and imported with pk12util.
# Chromium presents it without asking because of the AutoSelectCertificateForUrls
# policy, which Chromium on Linux reads only from /etc/chromium/policies/managed/:
# the test writes a uniquely named file there (so it needs root) and removes
# it on exit. Screenshots of every page go to build/test-artifacts/console/.
set -euo pipefail
# shellcheck source=../support/e2e.sh
source "$(dirname "$0")/../support/e2e.sh"
source "$root/scripts/lib/ports.sh"

if [ "$(id -u)" != 0 ]; then
  echo "console_test: skipped: writing the Chromium policy in /etc/chromium/policies/managed needs root"
  exit 77
fi
for tool in chromium certutil pk12util node; do
  command -v "$tool" >/dev/null || die "$tool is missing: run scripts/bootstrap"
done
[ -d "$root/tests/browser/node_modules/puppeteer-core" ] || die "puppeteer-core is missing: run scripts/bootstrap"

sandbox_up
artifacts="${CONSOLE_ARTIFACTS:-$root/build/test-artifacts/console}"
rm -rf "$artifacts" && mkdir -p "$artifacts"
port=${EXCHANGE_URL##*:}

policy_dir=/etc/chromium/policies/managed
policy="$policy_dir/coalition-console-test-$$.json"
mkdir -p "$policy_dir"
e2e_on_exit "rm -f '$policy'"
printf '{"AutoSelectCertificateForUrls": ["{\\"pattern\\":\\"https://localhost:%s\\",\\"filter\\":{}}"]}\n' "$port" >"$policy"

# The CA bundle, one file per certificate, for certutil.
awk -v out="$dir/ca-" '/BEGIN CERTIFICATE/ {n++} n {print > (out n ".pem")}' "$EXCHANGE_CA"
printf 'console-test-passphrase\n' >"$dir/p12pass"
identity() {  # NAME CERT KEY
  local home="$dir/home-$1"
  local db="sql:$home/.pki/nssdb"
  mkdir -p "$home/.pki/nssdb"
  certutil -N -d "$db" --empty-password
  local ca
  for ca in "$dir"/ca-*.pem; do
    certutil -A -d "$db" -n "coalition $(basename "$ca" .pem)" -t "C,," -i "$ca"
  done
  "$X" credentials export-browser --cert "$2" --key "$3" --ca "$EXCHANGE_CA" --out "$home/id.p12" \
    --passphrase-file "$dir/p12pass" >/dev/null
  pk12util -i "$home/id.p12" -d "$db" -w "$dir/p12pass" -K "" >/dev/null
  rm -f "$home/id.p12"
}
identity admin1 "$ADMIN1_CERT" "$ADMIN1_KEY"
identity admin2 "$ADMIN2_CERT" "$ADMIN2_KEY"
identity auditor "$AUDITOR_CERT" "$AUDITOR_KEY"
identity alpha "$ALPHA_CERT" "$ALPHA_KEY"
identity beta "$BETA_CERT" "$BETA_KEY"

# What the pages will show: an application waiting for its approvals, and
# alpha's contributions of an MD5 and of an image's PDQ hash.
token=$("$X" admin invite "${A1[@]}" --org "Acme Social" --slug acme --contact trust@acme.example --output json |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
"$X" enroll --token "$token" --org "Acme Social" --legal-name "Acme Social, Inc." --domain acme.example \
  --contact trust@acme.example --legal-basis "US provider under 18 U.S.C. 2258A" --accept-principles \
  --out "$dir/acme" --output json >"$dir/enroll.json"
# ... and one to reject.
token=$("$X" admin invite "${A1[@]}" --org "Shady Social" --slug shady --contact trust@shady.example --output json |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
"$X" enroll --token "$token" --org "Shady Social" --legal-name "Shady Social Ltd" --domain shady.example \
  --contact trust@shady.example --legal-basis "none given" --accept-principles --out "$dir/shady" >/dev/null
python3 "$root/tests/browser/make_png.py" "$dir/picture.png"
pdq=$("$X" hash --output json "$dir/picture.png" | python3 -c 'import json, sys; d = json.load(sys.stdin); d = d[0] if isinstance(d, list) else d; print(d["pdq"])')
md5=d41d8cd98f00b204e9800998ecf8427e
printf 'kind,value,category\nmd5,%s,A1\npdq,%s,A1\n' "$md5" "$pdq" >"$dir/signals.csv"
"$X" submit --collection csam-known "${AL[@]}" "$dir/signals.csv" >/dev/null

# The endpoints the console added, refusals included.
api() {  # WHO PATH [CURL ARGS...]: prints the body, then the status on its own line
  local who=$1 path=$2
  shift 2
  curl -sS --cacert "$EXCHANGE_CA" --cert "$dir/sb/pki/$who.pem" --key "$dir/sb/pki/$who.key" \
    -w '\n%{http_code}' "$@" "$EXCHANGE_URL$path"
}
out=$(api alpha '/v1/collections/csam-known/contributions?limit=1')
check "contributions page: one of two, newest first" \
  bash -c '[ "$(tail -1 <<<"$1")" = 200 ] && grep -q "\"total\":\"2\"" <<<"$1" && grep -q "\"start\":\"0\"" <<<"$1"' _ "$out"
check "beta disputes alpha's md5" bash -c '[ "$(tail -1 <<<"$1")" = 200 ] && grep -q "\"status\":\"ok\"" <<<"$1"' _ \
  "$(api beta /v1/collections/csam-known/opinions -H 'Content-Type: application/json' \
    -d "{\"opinions\": [{\"kind\": \"md5\", \"value\": \"$md5\", \"opinion\": \"dispute\", \"reason\": \"not CSAM on review\"}]}")"
check "contributions limit=0 is 400" test "$(api alpha '/v1/collections/csam-known/contributions?limit=0' | tail -1)" = 400
check "contributions without a grant is 403" test "$(api beta '/v1/collections/grooming-signals/contributions' | tail -1)" = 403
check "an image that is not one is 400" test "$(api alpha /v1/images/pdq -H 'Content-Type: application/json' -d '{"image":"aGVsbG8="}' | tail -1)" = 400
check "the console's files carry the CSP" \
  bash -c "curl -sS -D - -o /dev/null --cacert '$EXCHANGE_CA' --cert '$ADMIN1_CERT' --key '$ADMIN1_KEY' '$CONSOLE_URL' | grep -qi \"^content-security-policy: default-src 'self'; script-src 'self'\""
# The other origin: a page on a plain-HTTP loopback server that tries to make
# an admin's browser suspend alpha.
evil_port=$(free_port)
mkdir -p "$dir/evil"
sed "s|EXCHANGE|https://localhost:$port|g" "$root/tests/browser/cross_site.html" >"$dir/evil/index.html"
(cd "$dir/evil" && exec python3 -m http.server "$evil_port" --bind 127.0.0.1 >/dev/null 2>&1) &
evil_pid=$!
e2e_on_exit "kill $evil_pid"
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$evil_port/" >/dev/null 2>&1 && break; sleep 0.05; done

CONSOLE_URL="$CONSOLE_URL" HOMES="$dir" ARTIFACTS="$artifacts" MD5="$md5" PDQ="$pdq" PICTURE="$dir/picture.png" \
  EVIL_URL="http://127.0.0.1:$evil_port/" APPLICATION="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["application_id"])' "$dir/enroll.json")" \
  node "$root/tests/browser/console_test.mjs" || fail "the browser flows"

# What the browser did, as the API and the audit log see it.
check "the applicant's certificate is issued after the second approval" \
  "$X" enroll --fetch --out "$dir/acme"
check "the applicant's certificate works" \
  bash -c "'$X' whoami --cert '$dir/acme/cert.pem' --key '$dir/acme/key.pem' --output json | grep -q '\"org\": \"acme\"'"
check "the grant set in the console lets acme read csam-known" \
  bash -c "'$X' collections list --cert '$dir/acme/cert.pem' --key '$dir/acme/key.pem' | grep -q csam-known"
check "the application rejected in the console is rejected" \
  bash -c "'$X' admin applications --status rejected --cert '$ADMIN1_CERT' --key '$ADMIN1_KEY' | grep -q shady"
orgs=$("$X" admin orgs "${AU[@]}" --output json)
check "beta was suspended from the console" grep -q '"slug": "beta", "name": "Beta Video", "status": "suspended"' <<<"$(python3 -c 'import json, sys; [print(json.dumps({k: o[k] for k in ("slug", "name", "status")})) for o in json.load(sys.stdin)["organisations"]]' <<<"$orgs")"
check "the cross-site page did not suspend alpha" grep -q '"slug": "alpha", "status": "active"' <<<"$(python3 -c 'import json, sys; [print(json.dumps({k: o[k] for k in ("slug", "status")})) for o in json.load(sys.stdin)["organisations"]]' <<<"$orgs")"
actions=$("$X" audit list "${AU[@]}" --last 100)
check "two approvals in the audit log" test "$(grep -c ' application.approve ' <<<"$actions")" = 2
check "the suspension in the audit log, with its reason" grep -q 'org.suspend.*org:beta' <<<"$actions"
shots=$(find "$artifacts" -name '*.png' | wc -l)
check "screenshots of the pages ($shots)" test "$shots" -ge 18
e2e_finish
