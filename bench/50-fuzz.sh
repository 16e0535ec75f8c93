#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The long fuzz runs: every libFuzzer target for BENCH_FUZZ_SECONDS (60) over
# its committed corpus (scripts/test runs them for 10 s). Prints how far each got.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${BENCH_FUZZ_SECONDS:-60}
started=$(date -u '+%Y-%m-%d %H:%M UTC')
out=$("$root/scripts/fuzz" "$seconds" 2>&1) || { echo "$out" >&2; exit 1; }
echo "## Fuzzing: long runs"
echo
echo "Run by \`bench/50-fuzz.sh\` on $started: each target $seconds s under ASan+UBSan (clang, libFuzzer), no crash."
echo
echo "| target | executions |"
echo "|---|---:|"
sed -n -E 's/^fuzz: ([a-z_]+) ok \(([0-9]+) runs.*/| \1 | \2 |/p' <<<"$out"
