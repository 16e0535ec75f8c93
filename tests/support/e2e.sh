# SPDX-License-Identifier: Apache-2.0
# The preamble the shell e2e tests share. Source it right after the test's
# own `set` line (the test chooses -e or not):
#   source "$(dirname "$0")/../support/e2e.sh"
# It gives:
#   root, bin, X      the checkout, the built binaries (EXCHANGE_BIN_DIR), exchangectl
#   dir               a fresh directory, removed on exit (with the sandbox in it taken down)
#   e2e_on_exit CMD   more clean-up, run on exit before the sandbox goes (a second exchanged, say)
#   sandbox_up        `scripts/sandbox up $dir/sb` (its stdout in $sb_out), then its env read
#                     and the credentials as flags: A1 A2 (admins), AU (auditor), AL (alpha)
#   check WHAT CMD... CMD must succeed; counted in $checks, a failure in $failures and on stderr
#   fail MESSAGE      a failure counted in $failures and reported; the test goes on
#   die MESSAGE       a failure reported; the test stops (exit 1)
#   run ARGS...       exchangectl ARGS; exit code in $rc, stdout in $out, stderr in $err
#   has TEXT NEEDLE / lacks TEXT NEEDLE   whether TEXT holds NEEDLE (fixed string)
#   e2e_finish        "N passed, M failed"; exits 0 only when nothing failed

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bin="${EXCHANGE_BIN_DIR:-$root/build/bin}"
X="$bin/exchangectl"
dir=$(mktemp -d)
failures=0
checks=0

e2e_exit_hooks=()
e2e_sandbox=""
e2e_on_exit() { e2e_exit_hooks+=("$1"); }
e2e_cleanup() {
  local hook
  for hook in "${e2e_exit_hooks[@]}"; do eval "$hook" || true; done
  if [ -n "$e2e_sandbox" ]; then "$root/scripts/sandbox" down "$e2e_sandbox" >/dev/null 2>&1 || true; fi
  rm -rf "$dir"
}
trap e2e_cleanup EXIT

sandbox_up() {
  e2e_sandbox="$dir/sb"
  sb_out=$("$root/scripts/sandbox" up "$dir/sb") || die "sandbox up"
  # shellcheck source=/dev/null
  source "$dir/sb/env"
  A1=(--cert "$ADMIN1_CERT" --key "$ADMIN1_KEY")
  A2=(--cert "$ADMIN2_CERT" --key "$ADMIN2_KEY")
  AU=(--cert "$AUDITOR_CERT" --key "$AUDITOR_KEY")
  AL=(--cert "$ALPHA_CERT" --key "$ALPHA_KEY")
}

check() {
  local what=$1
  shift
  checks=$((checks + 1))
  if ! "$@"; then
    echo "FAIL: $what" >&2
    failures=$((failures + 1))
  fi
}
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
die() {
  echo "FAIL: $*" >&2
  exit 1
}

run() {
  "$X" "$@" >"$dir/out" 2>"$dir/err"
  rc=$?
  out=$(cat "$dir/out")
  err=$(cat "$dir/err")
}
has() { grep -qF -- "$2" <<<"$1"; }
lacks() { ! grep -qF -- "$2" <<<"$1"; }

e2e_finish() {
  echo "$((checks - failures)) passed, $failures failed"
  [ "$failures" = 0 ]
}
