# SPDX-License-Identifier: Apache-2.0
# Helpers shared by the benchmark scripts (bench/NN-name.sh) and scripts/bench.
# Source it; it defines functions only and changes no shell options.

# A loopback TCP port nobody listens on right now.
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/ports.sh"
bench_free_port() { free_port; }

# The load averages over 1, 5 and 15 minutes, as "0.52 0.61 0.70".
bench_load() { cut -d' ' -f1-3 /proc/loadavg; }

# Wall-clock time as seconds since the epoch with nanoseconds; the seconds
# (two decimals) since such a time T0; and N per S seconds, rounded.
bench_now() { date +%s.%N; }
bench_since() { awk -v a="$1" -v b="$(bench_now)" 'BEGIN { printf "%.2f", b - a }'; }
bench_rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }

# The start of a run, for the scripts that set root (the checkout):
#   bench_begin
# sets started (UTC, to the minute), load_before (bench_load) and work, a fresh
# temporary directory that all may enter (as root, PostgreSQL and the nginx
# workers run as nobody). On exit, and on INT or TERM (status 130), it calls
# the caller's bench_on_exit if one is defined (to stop its own processes, with
# bench_stop), then stops the sandbox in WORK/sandbox if one is up and removes WORK.
# shellcheck disable=SC2034  # started and load_before are the caller's
bench_begin() {
  started=$(date -u '+%Y-%m-%d %H:%M UTC')
  load_before=$(bench_load)
  work=$(mktemp -d)
  chmod 755 "$work"
  trap bench_end EXIT
  trap 'exit 130' INT TERM
}
# shellcheck disable=SC2154  # root is the caller's
bench_end() {
  set +e
  declare -F bench_on_exit >/dev/null && bench_on_exit
  [ -e "$work/sandbox/.sandbox" ] && "$root/scripts/sandbox" down "$work/sandbox" >&2
  rm -rf "$work"
}

# Stops each given process (an empty argument is skipped) and waits for it.
bench_stop() {
  local pid
  for pid in "$@"; do
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  done
  return 0
}

# A sandbox in WORK/sandbox (after bench_begin), with the per-organisation rate
# limit raised out of reach unless EXCHANGE_ORG_RATE_LIMIT says otherwise (its
# bookkeeping still runs). Sources its env, and sets client: the connection
# flags of alpha on csam-known, as feed_bench and exchangectl take them.
# shellcheck disable=SC2034  # client is the caller's
bench_sandbox_up() {
  export EXCHANGE_ORG_RATE_LIMIT=${EXCHANGE_ORG_RATE_LIMIT:-1000000000}
  "$root/scripts/sandbox" up "$work/sandbox" >&2
  # shellcheck source=/dev/null
  source "$work/sandbox/env"
  client=(--server "$EXCHANGE_URL" --ca "$EXCHANGE_CA" --cert "$ALPHA_CERT" --key "$ALPHA_KEY" --collection csam-known)
}

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

# nginx beside exchanged, with the sandbox's certificates: HTTPS/1.1 with
# client certificates (ssl_verify_client on, TLS 1.2+), keep-alive without a
# request limit (as exchanged), access_log off, worker_processes auto.
#   bench_nginx_start NGINX WORK PKI PROBE_PATH
# serves WORK/nginx/www (which the caller fills) on a free loopback port,
# sets nginx_port and nginx_pid, and returns once https://localhost:PORT/PROBE_PATH
# answers over mTLS (with PKI/alpha.pem); if nginx exits first, prints its error log
# and exits 1. As root the workers run as nobody (WORK must let them in). The
# caller stops nginx_pid.
bench_nginx_start() {
  local nginx=$1 work=$2 pki=$3 probe=$4
  mkdir -p "$work/nginx/www" "$work/nginx/tmp"
  chmod -R a+rX "$work/nginx"
  nginx_port=$(bench_free_port)
  {
    [ "$(id -u)" -eq 0 ] && echo "user nobody $(id -gn nobody);"
    cat <<CONF
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/tmp/body;
  proxy_temp_path $work/nginx/tmp/proxy;
  fastcgi_temp_path $work/nginx/tmp/fastcgi;
  uwsgi_temp_path $work/nginx/tmp/uwsgi;
  scgi_temp_path $work/nginx/tmp/scgi;
  types { application/json json; }
  default_type application/octet-stream;
  # As exchanged: a kept-alive connection serves any number of requests.
  keepalive_timeout 60s;
  keepalive_requests 1000000000;
  server {
    listen 127.0.0.1:$nginx_port ssl;
    server_name localhost;
    ssl_certificate $pki/server.pem;
    ssl_certificate_key $pki/server.key;
    ssl_client_certificate $pki/ca-bundle.pem;
    ssl_verify_client on;
    ssl_protocols TLSv1.2 TLSv1.3;
    root $work/nginx/www;
    location / { }
  }
}
CONF
  } >"$work/nginx/nginx.conf"
  "$nginx" -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" -g 'daemon off;' >&2 &
  nginx_pid=$!
  local probe_url="https://localhost:$nginx_port/$probe" _
  local tls=(--cacert "$pki/ca-bundle.pem" --cert "$pki/alpha.pem" --key "$pki/alpha.key")
  for _ in $(seq 1 100); do
    curl -fsS "${tls[@]}" -o /dev/null "$probe_url" 2>/dev/null && return 0
    kill -0 "$nginx_pid" 2>/dev/null || {
      echo "nginx exited; $work/nginx/error.log:" >&2
      cat "$work/nginx/error.log" >&2
      exit 1
    }
    sleep 0.05
  done
  curl -fsS "${tls[@]}" -o /dev/null "$probe_url"
}
