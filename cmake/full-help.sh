#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The complete help of a binary with commands, for help2man: `full-help.sh
# BINARY --help` prints `BINARY --help`, then `BINARY COMMAND --help` for every
# command its "Commands:" list names; `full-help.sh BINARY --version` prints
# the first line of `BINARY --version` (the rest, commit and build date, would
# make the page differ from build to build). The man pages are generated from this, so they list exactly what
# the binaries' --help says, never a hand-kept copy.
set -eu
binary=$1
shift
if [ "${1:-}" = "--version" ]; then
  "$binary" --version | head -n 1
  exit 0
fi
"$binary" --help
# The commands: from each indented line after "Commands:" (up to the next
# blank line), the fewest leading words that `BINARY WORDS --help` accepts
# ("serve", "credentials add"), so the summary's spacing does not matter.
"$binary" --help | awk '
  /^Commands:/ { inside = 1; next }
  inside && /^[[:space:]]*$/ { exit }
  inside && /^  [a-z]/ { print $1, $2, $3 }
' | while read -r first second third; do
  command=""
  for candidate in "$first" "$first $second" "$first $second $third"; do
    # shellcheck disable=SC2086  # a command is one to three words: split them
    if "$binary" $candidate --help >/dev/null 2>&1; then command=$candidate; break; fi
  done
  [ -n "$command" ] || { echo "full-help: no --help for '$first' in $binary" >&2; exit 1; }
  echo
  echo "The $command command:"
  # One section per command, titled above and opened by the indented usage
  # lines (help2man's rule for a section), one paragraph each; the "Flags
  # (...):" title would make a section of its own.
  # shellcheck disable=SC2086
  "$binary" $command --help | awk '
    NR == 1 || (in_usage && /^[[:space:]]/) { sub(/^usage: /, ""); sub(/^[[:space:]]+/, ""); print "  " $0; print ""; in_usage = 1; next }
    in_usage && /^[[:space:]]*$/ { in_usage = 0; next }
    { in_usage = 0 }
    /^Flags \(each also read from the environment variable shown\):$/ { next }
    { print }
  '
done
