#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# exchanged's logs against a live sandbox (real exchanged over mTLS): an
# invitation (token), an enrollment (token + CSR, key made locally), signals
# submitted with values and an Idempotency-Key, values in paths and queries,
# bad tokens, an application status fetched by its id; then exchanged's whole
# stderr is scanned. Every line must be JSON with time/level/msg; nothing
# secret or submitted may appear (tokens, PEM markers, signal values,
# Idempotency-Keys, the application id, client headers that are not a
# well-formed request id); each request line carries the documented fields
# and its request_id is the X-Request-Id the client got. Then SIGHUP: a
# second exchanged with --config changes its log level when the file does.
set -euo pipefail
# shellcheck source=../support/e2e.sh
source "$(dirname "$0")/../support/e2e.sh"

sandbox_up
CURL_AL=(--cacert "$EXCHANGE_CA" "${AL[@]}")
rand() { openssl rand -hex "$1"; }
secrets="$dir/secrets"  # one forbidden string a line
: >"$secrets"

# An invitation and an enrollment with its token; a wrong token; the status by application id.
token=$("$X" admin invite "${A1[@]}" --org "Logtest Social" --slug logtest --contact trust@logtest.example --output json |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
echo "$token" >>"$secrets"
bad_token=$(rand 32)
echo "$bad_token" >>"$secrets"
"$X" enroll --token "$bad_token" --org "Logtest Social" --legal-name "Logtest Social, Inc." --domain logtest.example \
  --contact trust@logtest.example --legal-basis "a legal basis" --accept-principles --out "$dir/bad" 2>/dev/null &&
  die "a wrong token was accepted"
"$X" enroll --token "$token" --org "Logtest Social" --legal-name "Logtest Social, Inc." --domain logtest.example \
  --contact trust@logtest.example --legal-basis "a legal basis" --accept-principles --out "$dir/acme" --output json \
  >"$dir/enroll.json"
app=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["application_id"])' "$dir/enroll.json")
echo "$app" >>"$secrets"
"$X" admin approve "$app" "${A1[@]}" --reason "checked" >/dev/null
"$X" admin approve "$app" "${A2[@]}" --reason "agreed" >/dev/null
"$X" enroll --fetch --out "$dir/acme" >/dev/null
# The enroll listener again, by hand, with the token used up and a token in a header and the query.
curl -s -o /dev/null --cacert "$EXCHANGE_CA" -H 'Content-Type: application/json' -H "Authorization: Bearer $bad_token" \
  -d "{\"token\": \"$token\", \"csr_pem\": \"x\"}" "$ENROLL_URL/v1/enroll?token=$bad_token"
curl -s -o /dev/null --cacert "$EXCHANGE_CA" "$ENROLL_URL/v1/enroll/$app"

# Values: submitted in a body with an Idempotency-Key, looked up in a path and a query.
md5=$(rand 16)
url_value="https://evil.example/$(rand 8)?session=$(rand 8)"
idem=$(rand 16)
printf '%s\n%s\n%s\n' "$md5" "$idem" "${url_value#https://}" >>"$secrets"
body="{\"signals\": [{\"kind\": \"md5\", \"value\": \"$md5\", \"category\": \"A1\"}]}"
headers=$(curl -s -D - -o "$dir/submit.json" "${CURL_AL[@]}" -H 'Content-Type: application/json' -H "Idempotency-Key: $idem" \
  -H 'X-Request-Id: client-req-42' -d "$body" "$EXCHANGE_URL/v1/collections/csam-known/signals")
grep -q '"created"' "$dir/submit.json" || die "submit: $(cat "$dir/submit.json")"
submit_id=$(tr -d '\r' <<<"$headers" | awk 'tolower($1) == "x-request-id:" {print $2}')
[[ "$submit_id" =~ ^[0-9a-f]{32}$ ]] || die "no X-Request-Id on the submit answer: $headers"
lookup_headers=$(curl -s -D - -o /dev/null "${CURL_AL[@]}" -H "X-Request-Id: has spaces $md5" \
  "$EXCHANGE_URL/v1/collections/csam-known/signals/md5/$md5?note=$idem")
lookup_id=$(tr -d '\r' <<<"$lookup_headers" | awk 'tolower($1) == "x-request-id:" {print $2}')
curl -s -o /dev/null "${CURL_AL[@]}" "$EXCHANGE_URL/v1/collections/csam-known/signals/url/$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$url_value")"
"$X" whoami --cert "$dir/acme/cert.pem" --key "$dir/acme/key.pem" >/dev/null
# A key file's contents as a value: it must not come back in any log line.
curl -s -o /dev/null "${CURL_AL[@]}" -H 'Content-Type: application/json' \
  --data-binary "{\"signals\": [{\"kind\": \"keyword\", \"value\": $(python3 -c 'import json, sys; print(json.dumps(open(sys.argv[1]).read()))' "$dir/acme/key.pem")}]}" \
  "$EXCHANGE_URL/v1/collections/csam-known/signals"
sleep 0.3

python3 - "$dir/sb/exchanged.log" "$secrets" "$submit_id" "$lookup_id" <<'PY'
import json, re, sys
log, secrets_file, submit_id, lookup_id = sys.argv[1:5]
secrets = [s for s in open(secrets_file).read().split("\n") if s]
forbidden = secrets + ["-----BEGIN", "PRIVATE KEY", "CERTIFICATE REQUEST", "Bearer", "has spaces", "session="]
text = open(log, "rb").read().decode("utf-8")  # must be valid UTF-8
fail = lambda msg: sys.exit("FAIL: " + msg)
lines = text.splitlines()
if not lines: fail("exchanged wrote nothing")
for needle in forbidden:
    if needle in text: fail("exchanged's log holds %r" % needle)
time_re = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
requests = {}
for n, line in enumerate(lines, 1):
    try:
        obj = json.loads(line)
    except ValueError:
        fail("line %d is not JSON: %r" % (n, line))
    if list(obj)[:3] != ["time", "level", "msg"]: fail("line %d does not start with time, level, msg: %r" % (n, line))
    if not time_re.match(obj["time"]): fail("line %d: time %r is not RFC 3339 UTC with ms" % (n, obj["time"]))
    if obj["level"] not in ("debug", "info", "warn", "error"): fail("line %d: level %r" % (n, obj["level"]))
    if obj["msg"] == "request":
        for key in ("request_id", "client_request_id", "listener", "method", "route", "status", "bytes",
                    "latency_ms", "org", "credential_id", "remote_addr"):
            if key not in obj: fail("request line %d lacks %s: %r" % (n, key, line))
        if not re.fullmatch(r"[0-9a-f]{32}", obj["request_id"]): fail("request id %r" % obj["request_id"])
        if obj["request_id"] in requests: fail("request id %s used twice" % obj["request_id"])
        requests[obj["request_id"]] = obj
sub = requests.get(submit_id) or fail("no request line for X-Request-Id %s" % submit_id)
want = {"listener": "api", "method": "POST", "route": "/v1/collections/{c}/signals", "status": 200, "org": "alpha",
        "client_request_id": "client-req-42"}
for k, v in want.items():
    if sub[k] != v: fail("submit line %s = %r, not %r" % (k, sub[k], v))
if not (isinstance(sub["credential_id"], int) and sub["credential_id"] > 0): fail("credential_id %r" % sub["credential_id"])
if not (isinstance(sub["bytes"], int) and sub["bytes"] > 0): fail("bytes %r" % sub["bytes"])
if not (isinstance(sub["latency_ms"], (int, float)) and sub["latency_ms"] >= 0): fail("latency_ms %r" % sub["latency_ms"])
look = requests.get(lookup_id) or fail("no request line for the lookup")
if look["route"] != "/v1/collections/{c}/signals/{kind}/{value}": fail("lookup route %r" % look["route"])
if look["client_request_id"] is not None: fail("a malformed client X-Request-Id was logged")
routes = {r["route"] for r in requests.values()}
for r in ("/v1/admin/invitations", "/v1/enroll", "/v1/enroll/{id}", "/v1/admin/applications/{id}/approve"):
    if r not in routes: fail("no request line for %s (have %s)" % (r, sorted(routes)))
enroll = [r for r in requests.values() if r["route"] == "/v1/enroll"]
if not any(r["status"] == 401 and r["listener"] == "enroll" and r["org"] is None for r in enroll):
    fail("the wrong token's 401 is not logged: %r" % enroll)
print("logs: %d lines, all JSON; %d request lines; no token, key, value or Idempotency-Key" % (len(lines), len(requests)))
PY

# SIGHUP re-reads --config's log-level (and only that).
conf="$dir/exchanged.conf"
echo "log-level = warn" >"$conf"
eval "$("$root/scripts/lib/second-exchanged.sh" "$dir/sb" --config "$conf")"
second_log="$dir/sb/exchanged-2.log"
pid=$(cat "$dir/sb/exchanged-2.pid")
"$X" whoami --server "$SECOND_EXCHANGE_URL" --cert "$ALPHA_CERT" --key "$ALPHA_KEY" >/dev/null
sleep 0.2
grep -q '"msg":"request"' "$second_log" && die "a request line at --log-level warn"
echo "log-level = debug" >"$conf"
kill -HUP "$pid"
for _ in $(seq 50); do grep -q '"msg":"log level set by SIGHUP"' "$second_log" && break; sleep 0.1; done
grep -q '"msg":"log level set by SIGHUP","log_level":"debug","previous":"warn"' "$second_log" ||
  die "SIGHUP did not set the level: $(tail -3 "$second_log")"
"$X" whoami --server "$SECOND_EXCHANGE_URL" --cert "$ALPHA_CERT" --key "$ALPHA_KEY" >/dev/null
curl -s -o /dev/null "$SECOND_OPS_URL/healthz"
sleep 0.2
grep -q '"msg":"request".*"route":"/v1/whoami"' "$second_log" || die "no request line after SIGHUP to debug"
grep -q '"listener":"ops".*"route":"/healthz"' "$second_log" || die "no debug line for the ops listener"
echo "log-level = loud" >"$conf"
kill -HUP "$pid"
for _ in $(seq 50); do grep -q '"msg":"SIGHUP: configuration not re-read' "$second_log" && break; sleep 0.1; done
grep -q '"msg":"SIGHUP: configuration not re-read; log level unchanged".*"log_level":"debug"' "$second_log" ||
  die "a bad level on SIGHUP: $(tail -2 "$second_log")"
kill -0 "$pid" || die "exchanged died on SIGHUP"
kill -TERM "$pid"
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
grep -q '"msg":"draining","signal":15' "$second_log" && grep -q '"msg":"stopped"' "$second_log" ||
  die "no draining/stopped lines: $(tail -2 "$second_log")"
python3 -c '
import json, sys
for line in open(sys.argv[1]): json.loads(line)' "$second_log" || die "the second exchanged wrote a line that is not JSON"
echo "SIGHUP: warn -> debug applied, a bad level refused and the level kept"
echo "1 passed, 0 failed"
