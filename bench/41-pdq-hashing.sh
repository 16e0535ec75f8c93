#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# PDQ image hashing: decode + hash per image for several sizes and decode
# scales (pdq_bench hash), and `exchangectl hash` end to end on Meta's vector
# images on one and two threads, beside the reference hasher's path measured
# in the same run (bench/pdq/reference_peer.cpp: CImg + libjpeg, resize to
# 512, the float hash), with perf's profile of one thread.
#
#   bench/41-pdq-hashing.sh        (normally run by scripts/bench)
# Knobs: BENCH_HASH_ROUNDS (5), BENCH_HASH_COPIES (20: each vector image is
# named that many times on the command lines).
# Needs Debian's cimg-dev for the peer (scripts/bootstrap installs it); without
# it the peer's row is missing and the section says so. About 3 minutes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/lib/common.sh"
bin="$root/build/bin"
vectors="${EXCHANGE_VECTORS_DIR:-$root/../shared/vectors}/pdq"
rounds=${BENCH_HASH_ROUNDS:-5}
copies=${BENCH_HASH_COPIES:-20}
log() { echo "pdq-hashing: $*" >&2; }

targets=(--target pdq_bench --target exchangectl)
have_peer=0
if [ -f /usr/include/CImg.h ]; then
  have_peer=1
  targets+=(--target pdq_reference_peer)
fi
"$root/scripts/build" "${targets[@]}" >&2
bench_begin

log "decode + hash per image (pdq_bench hash)"
"$bin/pdq_bench" hash --vectors "$vectors" --generated 16 --rounds "$rounds" >"$work/hash.md"

# The same files for every command: the vector images, each named $copies times.
mapfile -t images < <(find "$vectors/images" -type f | sort)
files=()
for _ in $(seq "$copies"); do files+=("${images[@]}"); done
image_count=${#files[@]}

# Best of 3 wall-clock runs of each command, in alternating order; each
# run's output is kept to compare the hashes.
commands=(ctl1 ctl2)
[ "$have_peer" = 1 ] && commands=(peer ctl1 ctl2)
run_command() {  # NAME: runs it once on the files; output to $work/NAME.out
  case $1 in
    peer) "$bin/pdq_reference_peer" "${files[@]}" >"$work/peer.out" 2>"$work/peer.err" ;;
    ctl1) "$bin/exchangectl" hash --threads 1 "${files[@]}" >"$work/ctl1.out" ;;
    ctl2) "$bin/exchangectl" hash --threads 2 "${files[@]}" >"$work/ctl2.out" ;;
  esac
}
declare -A best
for round in 1 2 3; do
  log "end to end, round $round of 3"
  for name in "${commands[@]}"; do
    begin=$(bench_now)
    run_command "$name"
    seconds=$(bench_since "$begin")
    if [ -z "${best[$name]:-}" ] || awk -v a="$seconds" -v b="${best[$name]}" 'BEGIN { exit !(a < b) }'; then
      best[$name]=$seconds
      [ "$name" = peer ] && cp "$work/peer.err" "$work/peer-best.err"
    fi
  done
done
cmp -s "$work/ctl1.out" "$work/ctl2.out" || {
  echo "pdq-hashing: exchangectl hash --threads 1 and 2 disagree" >&2
  exit 1
}

# Hash agreement: exchangectl's and the peer's PDQ hashes against Meta's
# expected.csv (file,pdq_hex,quality), as the largest Hamming distance.
max_distance() {  # CSV FILE_COLUMN HASH_COLUMN: the worst distance to expected.csv
  python3 - "$vectors/expected.csv" "$1" "$2" "$3" <<'PY'
import csv, os, sys
expected = {r["file"]: int(r["pdq_hex"], 16) for r in csv.DictReader(open(sys.argv[1]))}
file_col, hash_col = int(sys.argv[3]), int(sys.argv[4])
worst = 0
for line in open(sys.argv[2]):
    f = line.rstrip("\n").split(",")
    name = os.path.basename(f[file_col]) if len(f) > max(file_col, hash_col) else ""
    if name in expected:
        worst = max(worst, bin(int(f[hash_col], 16) ^ expected[name]).count("1"))
print(worst)
PY
}
ctl_pdq_column=$(head -1 "$work/ctl1.out" | tr ',' '\n' | grep -n -x pdq | cut -d: -f1)
ctl_file_column=$(head -1 "$work/ctl1.out" | tr ',' '\n' | grep -n -x -E 'file|path' | cut -d: -f1)
ctl_distance=$(max_distance "$work/ctl1.out" $((ctl_file_column - 1)) $((ctl_pdq_column - 1)))

rate() { awk -v n="$image_count" -v s="$1" 'BEGIN { printf "%.0f", n / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b / a }'; }  # A_SECONDS B_SECONDS: B's time / A's
{
  echo "| command | images | best of 3, s | images/s | × the reference's path | × --threads 1 | max distance to expected.csv |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  if [ "$have_peer" = 1 ]; then
    peer_distance=$(max_distance "$work/peer.out" 0 1)
    echo "| reference's path (\`pdq_reference_peer\`, one thread) | $image_count | ${best[peer]} | $(rate "${best[peer]}") | 1.00× | | $peer_distance |"
  fi
  for t in 1 2; do
    versus=""
    [ "$have_peer" = 1 ] && versus="$(ratio "${best[ctl$t]}" "${best[peer]}")×"
    echo "| \`exchangectl hash --threads $t\` | $image_count | ${best[ctl$t]} | $(rate "${best[ctl$t]}") | $versus | $(ratio "${best[ctl$t]}" "${best[ctl1]}")× | $ctl_distance |"
  done
} >"$work/ctl.md"

peer_note="The reference's path is not measured: CImg.h is missing (apt-get install cimg-dev)."
if [ "$have_peer" = 1 ]; then
  read -r _ load_s _ hash_s <"$work/peer-best.err"
  peer_note=$(awk -v n="$image_count" -v l="$load_s" -v h="$hash_s" 'BEGIN {
    printf "In its best run the reference'"'"'s path spent %.2f ms/image loading and resizing (%.0f images/s) and %.2f ms/image on luminance and hash (%.0f images/s).", 1000 * l / n, n / l, 1000 * h / n, n / h }')
fi

# Where one core's time goes in exchangectl hash --threads 1: perf's timer
# samples (virtual machines often lack hardware counters).
profile_note=""
: >"$work/profile.md"
if perf record -q -e cpu-clock -F 2000 -o "$work/perf.data" -- \
  "$bin/exchangectl" hash --threads 1 "${files[@]}" >/dev/null 2>"$work/perf.err"; then
  perf report -i "$work/perf.data" --stdio --no-children --sort dso,sym --percent-limit 0 2>/dev/null |
    awk '!/^#/ && NF >= 3 { sub(/%$/, "", $1); print }' >"$work/perf.txt"
  awk '
    { pct = $1; dso = $2; $1 = ""; $2 = ""; $3 = ""; sym = $0
      if (dso ~ /libjpeg|libpng|libwebp|libz\./) c = "decode: libjpeg (Huffman, IDCT, upsampling)"
      else if (sym ~ /RunJpeg|DecodeJpeg|LumaSampler|DecodeLuma|OnJpeg|DecodePng|DecodeWebp/) c = "decode: our RGB to luminance conversion (RunJpeg)"
      else if (sym ~ /BlurAndDecimate|BoxFilter/) c = "resize: box-filter blur and decimation to 64×64"
      else if (sym ~ /Dct|ToBits|Quality|HashLuma|Transform|Median/) c = "DCT, quality and bits"
      else if (dso ~ /libcrypto/) c = "MD5 and SHA-256 (libcrypto)"
      else if (dso ~ /kernel/) c = "kernel: page faults on fresh buffers, file reads"
      else if (dso ~ /libc\./) c = "libc: memset and memcpy of buffers, malloc"
      else c = "other (start-up, libstdc++)"
      share[c] += pct }
    END { for (c in share) printf "| %s | %.1f%% |\n", c, share[c] }' "$work/perf.txt" | sort -t'|' -k3,3gr >"$work/shares.md"
  kernel_top=$(awk '$2 ~ /kernel/ { $2 = ""; $3 = ""; printf "%s%s %s%%", sep, $4, $1; sep = ", " } ' "$work/perf.txt" | cut -d, -f1-4)
  samples=$(perf report -i "$work/perf.data" --stdio 2>/dev/null | awk '/^# Samples:/ && !n { n = $3 } END { print n }')
  {
    echo "| where | share of one core's time |"
    echo "|---|---:|"
    cat "$work/shares.md"
    echo
    echo "$samples samples. The kernel's largest: $kernel_top."
  } >"$work/profile.md"
else
  profile_note="No profile: \`perf record\` failed ($(head -1 "$work/perf.err"))."
fi
load_after=$(bench_load)

# Against issue 19's goal (one core at least 5× the reference's path): libjpeg's
# share of one core bounds what any change to the rest can reach, since the
# peer decodes the same files with the same libjpeg.
verdict=""
if [ "$have_peer" = 1 ]; then
  libjpeg_share=$(awk -F'|' '/decode: libjpeg/ { gsub(/[ %]/, "", $3); print $3 }' "$work/shares.md" 2>/dev/null)
  verdict=$(awk -v peer="${best[peer]}" -v one="${best[ctl1]}" -v share="${libjpeg_share:-0}" 'BEGIN {
    ratio = peer / one
    printf "**One thread of `exchangectl hash` is %.2f× the reference'"'"'s path: goal (≥ 5×) %s.**", ratio, (ratio >= 5 ? "met" : "not met")
    if (ratio < 5 && share > 0)
      printf " What bounds it: libjpeg'"'"'s own decoding is %.0f %% of that thread'"'"'s time, and the peer pays the same decoding of the same files; with everything else free, one thread would reach %.1f× at most. Past that only decoding less (JPEG DCT-domain scaling, which moves hashes off the reference'"'"'s by a few bits: the first table) or more cores remain.", share, peer / (one * share / 100)
  }')
fi

cat <<EOF
## PDQ: image hashing

Measured by \`bench/41-pdq-hashing.sh\` on $started.

$(bench_machine)
- Load average (1, 5, 15 min) before: $load_before; after: $load_after. The machine may be shared:
  other work running alongside slows every row of a table alike, so compare rows within a table.

### Decode + hash, one thread, per image

Each image is decoded from memory (file reading excluded) and hashed, $rounds rounds. *Max distance* is
the largest Hamming distance between our hash and Meta's reference hash (\`expected.csv\`) for the vector
images, and between the hash at that decode scale and our own full-size decode for the generated ones
(bilinear enlargements of \`bridge-1-original.jpg\` with a little noise, encoded with libjpeg).

$(cat "$work/hash.md")

### \`exchangectl hash\` beside the reference hasher's path

The $image_count files are Meta's $((image_count / copies)) vector images, each named $copies times, hashed end to end (process start,
reading each file) by each command; the best of 3 wall-clock runs each, the commands alternating. \`exchangectl
hash\` also computes MD5 and SHA-256 of every file, and runs on one thread and on two (both print the same CSV).

The peer, \`pdq_reference_peer\` (bench/pdq/reference_peer.cpp), is Meta's reference hasher's path rebuilt
here from Debian's packages, since the reference's own code cannot be fetched on these machines: CImg
$(dpkg-query -W -f='${Version}' cimg-dev 2>/dev/null || echo "(missing)") loads each file (libjpeg), an image over 512 pixels a side is resized by CImg to
512×512 as the reference does, then luminance in floats and the hash. Its hash step is our own
\`pdq::HashLuma\` (the reference's float algorithm, bit for bit on expected.csv at full size), which is
no slower than the reference's, so *× the reference's path* understates \`exchangectl hash\`'s lead if
anything. *Max distance* compares each command's PDQ hashes with Meta's expected.csv; the peer's shows how
far its 512×512 resize (which ignores the aspect ratio) moves them. $peer_note

$(cat "$work/ctl.md")

$verdict

Where one core's time goes in \`exchangectl hash --threads 1\` on the same files (perf's timer samples of
the whole process, by shared object and symbol): $profile_note

$(cat "$work/profile.md")
EOF
