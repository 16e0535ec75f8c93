#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# cmake/BuildInfo.cmake, which writes the header behind --version: the commit
# of a git checkout (marked -modified when tracked files differ), "unknown"
# outside one (a source tarball), and the date from $SOURCE_DATE_EPOCH.
#   build_info_test.sh SOURCE_DIR
set -euo pipefail
src=$(cd "$1" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
fail() { echo "build_info_test: FAIL: $*" >&2; exit 1; }
generate() {  # SOURCE_DIR OUTPUT
  cmake -DSOURCE_DIR="$1" -DTEMPLATE="$src/exchange/version/build_info.h.in" -DOUTPUT="$2" -DVERSION=9.8.7 \
        -DLIBPQXX_VERSION=6.4.5 -DLIBPQ_VERSION= -P "$src/cmake/BuildInfo.cmake"
}
value() { sed -n "s/^#define EXCHANGE_BUILD_$1 \"\(.*\)\"$/\1/p" "$2"; }

# A tree without .git, as unpacked from a tarball.
mkdir "$scratch/tarball"
SOURCE_DATE_EPOCH=1700000000 generate "$scratch/tarball" "$scratch/tarball.h"
[ "$(value COMMIT "$scratch/tarball.h")" = unknown ] || fail "commit outside git: $(value COMMIT "$scratch/tarball.h")"
[ "$(value DATE "$scratch/tarball.h")" = 2023-11-14 ] || fail "SOURCE_DATE_EPOCH ignored: $(value DATE "$scratch/tarball.h")"
[ "$(value VERSION "$scratch/tarball.h")" = 9.8.7 ] || fail "version"
[ "$(value LIBPQ "$scratch/tarball.h")" = unknown ] || fail "an empty library version is not 'unknown'"

# A git checkout: a fresh repository with one commit, then a tracked change.
if command -v git >/dev/null; then
  repo=$scratch/repo
  git init -q "$repo"
  echo a >"$repo/file"
  git -C "$repo" add file
  git -C "$repo" -c user.name=t -c user.email=t@example.org commit -qm one
  head=$(git -C "$repo" rev-parse --short=12 HEAD)
  generate "$repo" "$scratch/clean.h"
  [ "$(value COMMIT "$scratch/clean.h")" = "$head" ] || fail "commit $(value COMMIT "$scratch/clean.h") != $head"
  echo b >"$repo/file"
  generate "$repo" "$scratch/dirty.h"
  [ "$(value COMMIT "$scratch/dirty.h")" = "$head-modified" ] || fail "a modified tree: $(value COMMIT "$scratch/dirty.h")"
  # Unchanged values leave the header untouched (nothing recompiles).
  touch -d '2000-01-01' "$scratch/dirty.h"
  generate "$repo" "$scratch/dirty.h"
  [ "$(stat -c %Y "$scratch/dirty.h")" = "$(date -d 2000-01-01 +%s)" ] || fail "an unchanged header was rewritten"
fi
echo "build_info_test: OK"
