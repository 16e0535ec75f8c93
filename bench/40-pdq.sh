#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# PDQ near-duplicate matching (1M and 10M stored hashes, beside brute force and
# FAISS), by bench/pdq/run.sh, which also keeps its full tables in
# bench/pdq/RESULTS.md. Prints them as one section. Image hashing is
# bench/41-pdq-hashing.sh's.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/bench/pdq/run.sh" >&2
echo "## PDQ: matching"
echo
sed '1,2d' "$root/bench/pdq/RESULTS.md" | sed 's/^## /### /'
