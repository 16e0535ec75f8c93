# SPDX-License-Identifier: Apache-2.0
# Helpers shared by the benchmark scripts (bench/NN-name.sh) and scripts/bench.
# Source it; it defines functions only and changes no shell options.

# A loopback TCP port nobody listens on right now.
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/ports.sh"
bench_free_port() { free_port; }

# The machine, as Markdown list items: CPUs, CPU model, kernel, memory.
bench_machine() {
  local model
  model=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
  echo "- CPUs (nproc): $(nproc); CPU model: ${model:-unknown}"
  echo "- Kernel: $(uname -sr) ($(uname -m)); memory: $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
}

# The value of NAME in a flat, one-line JSON object (as loadgen prints), without quotes.
bench_json_field() {
  local json=$1 name=$2
  sed -n -E "s/.*\"$name\":(\"([^\"]*)\"|([^,}]*)).*/\2\3/p" <<<"$json"
}

# The median of the numbers on stdin, one a line (the lower middle one for an even count).
bench_median() {
  sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'
}

# CPU time used so far by the given processes (all their threads), in clock ticks.
bench_cpu_ticks() {
  local total=0 pid fields
  for pid in "$@"; do
    # Fields 14 and 15 are utime and stime; the command name (field 2) may hold
    # spaces, so count from the closing parenthesis.
    fields=$(sed -E 's/.*\) //' "/proc/$pid/stat" 2>/dev/null) || continue
    total=$((total + $(awk '{ print $12 + $13 }' <<<"$fields")))
  done
  echo "$total"
}
