# SPDX-License-Identifier: Apache-2.0
# Where a server's CPU time goes, for the benchmark scripts: perf samples of
# running processes, summed by library and by function. Source it; it defines
# functions only and changes no shell options.
#
# perf samples the cpu-clock software event (a timer): virtual machines often
# lack hardware counters ("instructions <not supported>"), and a timer still
# says which code the CPU was in. Release builds keep their symbols, so
# functions are named; without frame pointers there are no call chains, so
# each sample counts for the function it was in (self time).

# 0 if perf can sample here.
bench_profile_available() {
  command -v perf >/dev/null 2>&1 &&
    perf record -q -e cpu-clock -o /dev/null -- true >/dev/null 2>&1
}

# Samples PID... for SECONDS into OUT (a perf.data file), in the foreground.
#   bench_profile_record OUT SECONDS PID...
bench_profile_record() {
  local out=$1 seconds=$2
  shift 2
  local pids
  pids=$(tr ' ' ',' <<<"$*")
  perf record -q -e cpu-clock -F 1999 -p "$pids" -o "$out" -- sleep "$seconds" >/dev/null 2>&1
}

# The profile in OUT as Markdown rows "| what | share | µs/request |", the
# largest first: by library (--sort dso) or by function (--sort sym), rows of
# at least MIN percent. US_PER_REQUEST is the server CPU time of one request,
# measured beside it; each row's share of it is the row's µs.
#   bench_profile_rows OUT dso|sym MIN US_PER_REQUEST
bench_profile_rows() {
  local out=$1 sort=$2 min=$3 us=$4
  perf report -i "$out" --stdio --no-children --sort "$sort" --percent-limit "$min" 2>/dev/null |
    awk -v us="$us" '
      /^#/ || NF < 2 { next }
      $1 ~ /%$/ {
        share = $1; sub(/%$/, "", share)
        line = $0; sub(/^ *[0-9.]+% +/, "", line); sub(/^\[[.kH]\] +/, "", line); sub(/ +$/, "", line)
        if (length(line) > 90) line = substr(line, 1, 87) "..."
        gsub(/\|/, "\\|", line)
        printf "| `%s` | %.1f %% | %.2f |\n", line, share, share * us / 100
      }'
}

# PostgreSQL's own account of where its time goes: every statement's duration
# in the server log (log_min_duration_statement = 0), switched on and off
# around one phase of a benchmark without a restart. PARAMETER_BYTES (default
# 0: none) keeps that much of each call's parameters, for bench_pg_explain.
#   bench_pg_log_statements DATABASE_URL on|off [PARAMETER_BYTES]
bench_pg_log_statements() {
  local url=$1 state=$2 bytes=${3:-0}
  if [ "$state" = on ]; then
    psql -q -X -d "$url" -c "ALTER SYSTEM SET log_min_duration_statement = 0" \
      -c "ALTER SYSTEM SET log_parameter_max_length = $bytes" -c "SELECT pg_reload_conf()" >/dev/null
  else
    psql -q -X -d "$url" -c "ALTER SYSTEM RESET log_min_duration_statement" \
      -c "ALTER SYSTEM RESET log_parameter_max_length" -c "SELECT pg_reload_conf()" >/dev/null
  fi
}

# The statements logged in LOG after byte OFFSET, as Markdown rows
# "| statement | calls | total s | mean ms | p50 ms | p99 ms |", the most time
# first; with PER (e.g. the number of batches), a column "ms per PER" more.
#   bench_pg_statement_rows LOG OFFSET [PER]
bench_pg_statement_rows() {
  python3 "$(dirname "${BASH_SOURCE[0]}")/pg_statements.py" rows "$@"
}

# The plan PostgreSQL runs for the slowest call logged in LOG after OFFSET
# whose SQL contains TEXT, with that call's parameters: EXPLAIN (ANALYZE,
# BUFFERS) output, or nothing when no call matched.
#   bench_pg_explain DATABASE_URL LOG OFFSET TEXT
bench_pg_explain() {
  local url=$1 script
  shift
  script=$(python3 "$(dirname "${BASH_SOURCE[0]}")/pg_statements.py" explain "$@")
  [ -n "$script" ] && psql -q -X -d "$url" -At <<<"$script"
}
