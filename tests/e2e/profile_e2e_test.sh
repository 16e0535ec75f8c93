#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Member comfort (issue 20) against a sandbox: exchangectl profiles (the
# sandbox's DIR/exchangectl.conf and a hand-written ~/.config one), their
# precedence (flag > environment > profile > default), their errors with
# FILE:LINE, `config show`; and submit's progress bar, drawn under a
# pseudo-terminal (script(1)) and never on a pipe or with --output json.
set -uo pipefail
# shellcheck source=../support/e2e.sh
source "$(dirname "$0")/../support/e2e.sh"
# Runs exchangectl with no EXCHANGECTL_* variable but those given as NAME=VALUE
# before the arguments; exit code in $rc, stdout in $out, stderr in $err.
run_isolated() {
  local vars=()
  while [[ ${1:-} == *=* && ${1:-} != -* ]]; do vars+=("$1"); shift; done
  # shellcheck disable=SC2046  # one "-u NAME" pair per EXCHANGECTL_* variable
  env $(env | sed -n 's/^\(EXCHANGECTL_[A-Z_]*\)=.*/-u \1/p') HOME="$dir/home" XDG_CONFIG_HOME= "${vars[@]}" \
    "$X" "$@" >"$dir/out" 2>"$dir/err"
  rc=$?
  out=$(cat "$dir/out")
  err=$(cat "$dir/err")
}
mkdir -p "$dir/home"

sandbox_up
conf=$dir/sb/exchangectl.conf
check "sandbox up names the profile file ($sb_out)" has "$sb_out" "EXCHANGECTL_CONFIG=$conf exchangectl --profile alpha whoami"
env_before=$(cat "$dir/sb/env")

# --- the sandbox's profile file, one profile per member ---
run_isolated EXCHANGECTL_CONFIG="$conf" whoami --profile alpha --output json
check "whoami --profile alpha: exit 0 ($rc: $err)" test "$rc" = 0
check "  ... is alpha ($out)" has "$out" '"alpha"'
run_isolated EXCHANGECTL_CONFIG="$conf" EXCHANGECTL_PROFILE=beta whoami --output json
check "EXCHANGECTL_PROFILE=beta is beta ($out)" has "$out" '"beta"'
run_isolated EXCHANGECTL_CONFIG="$conf" EXCHANGECTL_PROFILE=beta whoami --profile admin1 --output json
check "--profile wins over EXCHANGECTL_PROFILE ($out)" has "$out" '"role": "admin"'
run_isolated EXCHANGECTL_CONFIG="$conf" --profile beta whoami --output json
check "--profile before the command, as sandbox up says ($rc: $out)" has "$out" '"beta"'
run_isolated EXCHANGECTL_CONFIG="$conf" config profiles
check "config profiles lists the cast ($out)" test "$out" = "$(printf '%s\n' admin1 admin2 auditor alpha beta)"

# sync with nothing but the collection and the mirror: server, CA, certificate,
# key and the trusted feed keys all come from the profile.
run_isolated EXCHANGECTL_CONFIG="$conf" sync --profile alpha --collection csam-known --mirror "$dir/m"
check "sync from a profile: exit 0 ($rc: $err)" test "$rc" = 0
run_isolated EXCHANGECTL_CONFIG="$conf" report annual --profile auditor --year 2026 --out "$dir/report.json"
check "report annual from a profile (report-key): exit 0 ($rc: $err)" test "$rc" = 0

# --- a profile file in ~/.config, the default profile, and precedence ---
mkdir -p "$dir/home/.config/exchangectl"
cfg=$dir/home/.config/exchangectl/config
cp "$dir/sb/pki/alpha.pem" "$dir/home/.config/exchangectl/alpha.pem"
cp "$dir/sb/pki/alpha.key" "$dir/home/.config/exchangectl/alpha.key"
cat >"$cfg" <<EOF
# alpha's desk
[profile default]
server = $EXCHANGECTL_SERVER
ca = $EXCHANGECTL_CA
cert = alpha.pem
key = alpha.key
feed-vkey = $EXCHANGECTL_FEED_VKEYS
timeout = 20000

[profile broken-server]
server = https://localhost:1
ca = $EXCHANGECTL_CA
cert = $ALPHA_CERT
key = $ALPHA_KEY
EOF
run_isolated whoami --output json
check "the default profile of ~/.config/exchangectl/config: exit 0 ($rc: $err)" test "$rc" = 0
check "  ... relative paths are beside the file ($out)" has "$out" '"alpha"'
run_isolated XDG_CONFIG_HOME="$dir/home/.config" HOME=/nonexistent whoami --output json
check "\$XDG_CONFIG_HOME is honoured ($rc: $err)" test "$rc" = 0
run_isolated whoami --profile broken-server
check "a profile's server is used: nothing listens, exit 3 ($rc)" test "$rc" = 3
run_isolated EXCHANGECTL_SERVER="$EXCHANGECTL_SERVER" whoami --profile broken-server --output json
check "the environment wins over the profile ($rc: $err)" test "$rc" = 0
run_isolated EXCHANGECTL_SERVER=https://localhost:1 whoami --server "$EXCHANGECTL_SERVER" --profile broken-server --output json
check "a flag wins over environment and profile ($rc: $err)" test "$rc" = 0
run_isolated whoami --cert "$BETA_CERT" --key "$BETA_KEY" --output json
check "flags win over the default profile ($out)" has "$out" '"beta"'

run_isolated config show --output json
check "config show: exit 0 ($rc: $err)" test "$rc" = 0
src() { python3 -c "import json,sys; d=json.load(open('$dir/out')); print(next(s['$2'] for s in d['settings'] if s['key']=='$1'))"; }
check "config show: cert from the profile, file and line ($(src cert source))" test "$(src cert source)" = "profile default ($cfg:5)"
check "config show: cert made absolute ($(src cert value))" test "$(src cert value)" = "$dir/home/.config/exchangectl/alpha.pem"
check "config show: timeout from the profile ($(src timeout value))" test "$(src timeout value)" = 20000
check "config show: output from the flag ($(src output source))" test "$(src output source)" = "flag --output"
check "config show: report-key is the default ($(src report-key source))" test "$(src report-key source)" = default
run_isolated EXCHANGECTL_TIMEOUT_MS=5 config show --output json --server https://x:1
check "config show: the environment named ($(src timeout source))" test "$(src timeout source)" = '$EXCHANGECTL_TIMEOUT_MS'
check "config show: the flag named ($(src server source))" test "$(src server source)" = "flag --server"
run_isolated config show
check "config show as a table names the file ($out)" has "$out" "profile file: $cfg"

# --- a readable private key is warned about, once, without refusing ---
chmod 0644 "$dir/home/.config/exchangectl/alpha.key"
run_isolated whoami
check "a group/world-readable key: still exit 0 ($rc)" test "$rc" = 0
check "  ... warned with the file and line ($err)" has "$err" "warning: $cfg:6: the private key $dir/home/.config/exchangectl/alpha.key can be read by everyone"
chmod 0600 "$dir/home/.config/exchangectl/alpha.key"
run_isolated whoami
check "a 0600 key: no warning ($err)" test -z "$err"

# --- errors name the file and the line ---
printf '[profile default]\nserver = https://x:1\nsevrer = https://y:1\n' >"$cfg"
run_isolated whoami
check "an unknown key: exit 2 ($rc)" test "$rc" = 2
check "  ... names file and line ($err)" has "$err" "$cfg:3: unknown key 'sevrer'"
printf '[profile default]\ntimeout = soon\n' >"$cfg"
run_isolated whoami
check "a bad value: exit 2, file and line ($err)" has "$err" "$cfg:2: --timeout wants a whole number"
printf 'server = https://x:1\n' >"$cfg"
run_isolated whoami
check "a key outside a profile: file and line ($err)" has "$err" "$cfg:1: 'server' comes before any [profile NAME] section"
printf '[profile a]\n[profile a]\n' >"$cfg"
run_isolated whoami
check "a profile defined twice ($err)" has "$err" "$cfg:2: profile 'a' is defined twice (first on line 1)"
printf '[profile alpha]\nserver = https://x:1\n' >"$cfg"
run_isolated whoami --profile gamma
check "an unknown profile: exit 2 ($rc)" test "$rc" = 2
check "  ... names the file and the profiles there ($err)" has "$err" "$cfg: no profile 'gamma' (the file has: alpha)"
rm "$cfg"
run_isolated whoami --profile alpha
check "--profile without a file: exit 2 ($rc)" test "$rc" = 2
check "  ... says the file is missing ($err)" has "$err" "profile file $cfg does not exist"
run_isolated EXCHANGECTL_CONFIG="$dir/nothing.conf" whoami
check "EXCHANGECTL_CONFIG naming a missing file: exit 2 ($err)" has "$err" "$dir/nothing.conf does not exist"
run_isolated whoami --server "$EXCHANGECTL_SERVER" --ca "$EXCHANGECTL_CA"
check "no profile file and no --profile: the old behaviour (no certificate, exit 6: $rc $err)" test "$rc" = 6

# --- submit's progress bar: on a terminal only, never with --output json ---
python3 -c "
print('kind,value,category')
for i in range(1200): print('md5,%032x,A1' % (0xabc000 + i))" >"$dir/signals.csv"
# script(1) gives exchangectl a pseudo-terminal as stdin, stdout and stderr.
pty() {
  local cmd
  cmd=$(printf '%q ' env EXCHANGECTL_CONFIG="$conf" "$X" "$@")
  script -qfec "$cmd" /dev/null </dev/null >"$dir/tty" 2>&1
  rc=$?
  tty_out=$(tr '\r' '\n' <"$dir/tty")
}
pty submit --profile alpha --collection csam-known --batch 100 "$dir/signals.csv"
check "submit under a pty: exit 0 ($rc: $tty_out)" test "$rc" = 0
check "  ... draws the bar ($tty_out)" has "$tty_out" "submit csam-known ["
check "  ... to the full count" has "$tty_out" "1,200/1,200 signals"
check "  ... from the start" has "$tty_out" "] 0/1,200 signals"
check "  ... then the summary" has "$tty_out" "1200 signals in 12 batches to csam-known"
pty submit --profile alpha --collection csam-known --batch 100 --output json "$dir/signals.csv"
check "submit --output json under a pty: exit 0 ($rc)" test "$rc" = 0
check "  ... draws no bar ($tty_out)" lacks "$tty_out" " signals  "
run_isolated EXCHANGECTL_CONFIG="$conf" submit --profile alpha --collection csam-known --batch 100 "$dir/signals.csv"
check "submit on a pipe: exit 0 ($rc: $err)" test "$rc" = 0
check "  ... draws no bar on a non-tty stderr ($err)" lacks "$err" " signals  "
check "  ... nor on stdout" lacks "$out" "["
# Items the exchange rejects go to stderr on lines of their own, not after the bar.
# They expired a minute ago: submit's pre-check judges expiry five minutes in
# the past (a client clock ahead of the exchange's must not hold back what it
# accepts), so they are sent and the exchange rejects them.
python3 -c "
import datetime
gone = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=60)).strftime('%Y-%m-%dT%H:%M:%SZ')
print('kind,value,category,expires_at')
for i in range(300): print('md5,%032x,A1,%s' % (0xdef000 + i, '' if i < 250 else gone))" >"$dir/some-rejected.csv"
pty submit --profile alpha --collection csam-known --batch 50 "$dir/some-rejected.csv"
check "submit with rejections under a pty: exit 1 ($rc)" test "$rc" = 1
check "  ... reports them ($tty_out)" grep -q "^.*line 252: .*expires_at is in the past" <<<"$tty_out"
check "  ... never on the bar's line" bash -c '! grep -a "signals  .*expires_at is in the past" <<<"$1"' _ "$tty_out"
check "  ... and the bar ends at the full count" has "$tty_out" "300/300 signals"
pty sync --profile alpha --collection csam-known --mirror "$dir/m2"
check "sync under a pty draws its bar too ($tty_out)" has "$tty_out" "csam-known ["
pty sync --profile alpha --collection csam-known --mirror "$dir/m3" --output json
check "sync --output json under a pty draws none ($tty_out)" lacks "$tty_out" " entries  "

check "DIR/env is what it was" test "$(cat "$dir/sb/env")" = "$env_before"
e2e_finish
