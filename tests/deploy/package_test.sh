#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The Debian packages, end to end without installing anything on this machine:
# cpack builds exchanged_*.deb and exchangectl_*.deb from the build tree (the
# binaries and man pages already built), `dpkg-deb -x` unpacks them into a
# scratch root, and there
#   * the installed binaries run (--version), with the dependencies
#     dpkg-shlibdeps wrote;
#   * the man pages name every command, flag and exit code --help does;
#   * the example configuration holds only keys exchanged knows;
#   * the systemd unit passes `systemd-analyze verify` and its
#     `systemd-analyze security` exposure stays at or below kMaxExposure;
#   * lintian finds no error and no warning (overrides: deploy/debian/).
#   package_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
max_exposure=1.5  # systemd-analyze security of deploy/exchanged.service (docs/operations.md)

fail() { echo "package_test: FAIL: $*" >&2; exit 1; }
for page in "$build/man/exchanged.8.gz" "$build/man/exchangectl.1.gz"; do
  [ -f "$page" ] || fail "$page is missing: build everything first (scripts/build)"
done

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
root=$scratch/root
mkdir -p "$root"

echo "== cpack"
cpack --config "$build/CPackConfig.cmake" -B "$scratch/out" >"$scratch/cpack.log" 2>&1 || { cat "$scratch/cpack.log"; fail "cpack"; }
version=$(sed -n 's/^#define EXCHANGE_BUILD_VERSION "\(.*\)"$/\1/p' "$build/exchange/version/generated/version/build_info.h")
for p in exchanged exchangectl; do
  deb=$(ls "$scratch"/out/${p}_"${version}"_*.deb) || fail "no $p package"
  dpkg-deb -f "$deb" Package Version Depends
  depends=$(dpkg-deb -f "$deb" Depends)
  # dpkg-shlibdeps, not a hand-kept list, names the libraries.
  case "$depends" in *libssl3*) ;; *) fail "$p Depends lacks libssl3: '$depends'" ;; esac
  dpkg-deb -x "$deb" "$root"
done
case "$(dpkg-deb -f "$scratch"/out/exchanged_*.deb Depends)" in *libpqxx*) ;; *) fail "exchanged Depends lacks libpqxx" ;; esac
[ "$(dpkg-deb --ctrl-tarfile "$scratch"/out/exchanged_*.deb | tar -xO ./conffiles)" = /etc/exchange/exchanged.conf ] ||
  fail "/etc/exchange/exchanged.conf is not a conffile"

echo "== installed binaries"
for bin in usr/sbin/exchanged usr/bin/exchangectl; do
  out=$("$root/$bin" --version) || fail "$bin --version"
  echo "$out" | head -n 1
  for field in "commit: " "built: " "OpenSSL: " "libpqxx: "; do
    grep -q "^$field" <<<"$out" || fail "$bin --version lacks '$field'"
  done
  [ "$(head -n 1 <<<"$out")" = "$(basename "$bin") $version" ] || fail "$bin --version starts '$(head -n 1 <<<"$out")'"
done

echo "== man pages"
normalise() { tr -s ' \t\n' ' '; }
check_page() {  # BINARY PAGE
  local bin=$1 page=$2 text help line command
  text=$(MANWIDTH=200 man -E ascii --nh --nj -l "$page" 2>/dev/null | normalise)
  help=$("$bin" --help)
  # Every line of the top-level --help (the commands, the exit codes).
  while IFS= read -r line; do
    line=$(normalise <<<"$line" | sed 's/^ //; s/ $//')
    [ -z "$line" ] && continue
    grep -qF -- "$line" <<<"$text" || fail "$(basename "$page"): lacks '$line' of $(basename "$bin") --help"
  done <<<"$help"
  # Every command's section and every flag its --help names.
  while IFS= read -r command; do
    grep -qF "The $command command:" <<<"$text" || fail "$(basename "$page"): no section for '$command'"
    # shellcheck disable=SC2086
    for flag in $("$bin" $command --help | grep -o -- '^  --[a-z0-9-]*'); do
      grep -qF -- "$flag" <<<"$text" || fail "$(basename "$page"): lacks $flag of '$command'"
    done
  done < <(MANWIDTH=200 man -E ascii -l "$page" 2>/dev/null | sed -n 's/^ *The \(.*\) command:$/\1/p')
  local sections
  sections=$(grep -o 'The [a-z -]* command:' <<<"$text" | wc -l)
  echo "$(basename "$page"): $sections command sections, every line of --help"
}
check_page "$root/usr/sbin/exchanged" "$root/usr/share/man/man8/exchanged.8.gz"
check_page "$root/usr/bin/exchangectl" "$root/usr/share/man/man1/exchangectl.1.gz"
# The sections are the commands the top-level --help lists (none missing).
for bin in usr/sbin/exchanged usr/bin/exchangectl; do
  listed=$("$root/$bin" --help | awk '/^Commands:/{i=1;next} i&&/^[[:space:]]*$/{exit} i&&/^  [a-z]/{print $1}' | sort -u)
  page=$(ls "$root"/usr/share/man/man*/"$(basename "$bin")".*.gz)
  covered=$(MANWIDTH=200 man -E ascii -l "$page" 2>/dev/null | sed -n 's/^ *The \([a-z][a-z-]*\).* command:$/\1/p' | sort -u)
  [ "$listed" = "$covered" ] || fail "$(basename "$page") covers '$covered', --help lists '$listed'"
done

echo "== bash completion"
# Where bash-completion looks for it, completing the installed binary's commands.
completion=$root/usr/share/bash-completion/completions/exchangectl
[ -f "$completion" ] || fail "no $completion"
offered=$(bash -c 'source "$1"; COMP_WORDS=("$2" sy); COMP_CWORD=1; _exchangectl; echo "${COMPREPLY[*]}"' _ \
  "$completion" "$root/usr/bin/exchangectl")
[ "$offered" = sync ] || fail "the installed completion offers '$offered' for 'exchangectl sy'"
echo "bash completion: exchangectl sy<TAB> -> $offered"

echo "== the example configuration"
# Every key is a flag of exchanged serve: parsing succeeds, and serve stops
# (exit 1, not the usage exit 2) only at the first file, which lives in the
# unit's credentials directory.
set +e
out=$(env -u EXCHANGE_CONFIG "$root/usr/sbin/exchanged" serve --config "$root/etc/exchange/exchanged.conf" 2>&1)
rc=$?
set -e
[ "$rc" = 1 ] || fail "exchanged serve --config exchanged.conf exited $rc: $out"
grep -q "/run/credentials/exchanged.service/" <<<"$out" || fail "unexpected: $out"
echo "exchanged.conf parses; serve stops at: $out"

echo "== systemd unit"
# Offline: the unit and the binary it names come from the scratch root, the
# units it depends on (sysinit.target, ...) from this machine's systemd.
cp -rn /lib/systemd/system/. "$root/lib/systemd/system/"
verify=$(systemd-analyze verify --root="$root" --man=no --generators=no exchanged.service 2>&1) ||
  fail "systemd-analyze verify: $verify"
[ -z "$verify" ] || fail "systemd-analyze verify complains: $verify"
exposure=$(systemd-analyze security --offline=yes --root="$root" exchanged.service 2>/dev/null |
  sed -n 's/.*Overall exposure level for exchanged.service: \([0-9.]*\).*/\1/p')
[ -n "$exposure" ] || fail "no exposure level from systemd-analyze security"
echo "systemd-analyze verify: clean; security exposure $exposure (at most $max_exposure)"
awk -v e="$exposure" -v m="$max_exposure" 'BEGIN { exit !(e <= m) }' || fail "exposure $exposure > $max_exposure"

echo "== lintian"
lintian --fail-on error,warning --display-info "$scratch"/out/*.deb 2>&1 | grep -v '^running with root privileges' || true
lintian --fail-on error,warning "$scratch"/out/*.deb >/dev/null 2>&1 || fail "lintian reports errors or warnings (above)"
echo "package_test: OK"
