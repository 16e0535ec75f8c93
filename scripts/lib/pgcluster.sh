#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A throwaway PostgreSQL 15 cluster on a free loopback port, for the sandbox
# and the tests. PostgreSQL refuses to run as root: when we are root the
# cluster is owned and run by the unprivileged user `nobody`.
#
#   pgcluster.sh up DIR      initdb DIR/pg, start it, create database "exchange";
#                            prints the DATABASE_URL and writes it to DIR/pg.url
#   pgcluster.sh stop DIR    stop (fast) but keep the data
#   pgcluster.sh start DIR   start again on the same port
#   pgcluster.sh down DIR    stop and delete DIR/pg
#
# Only loopback, trust authentication: never for production.
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
cmd=${1:?usage: pgcluster.sh up|stop|start|down DIR}
dir=${2:?usage: pgcluster.sh up|stop|start|down DIR}
data="$dir/pg"

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u nobody -- "$@"
  else
    "$@"
  fi
}

source "$(dirname "$0")/ports.sh"

pg_ctl_start() {
  as_owner "$PGBIN/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 start >/dev/null
}

case "$cmd" in
  up)
    mkdir -p "$dir"
    rm -rf "$data"
    mkdir -p "$data"
    if [ "$(id -u)" -eq 0 ]; then
      # nobody must be able to reach DIR/pg: let it traverse (not read) our directories on the way.
      d=$(cd "$dir" && pwd)
      while [ "$d" != "/" ]; do
        [ -O "$d" ] && chmod o+x "$d"
        d=$(dirname "$d")
      done
      chown nobody "$data"
    fi
    chmod 0700 "$data"
    as_owner "$PGBIN/initdb" -D "$data" -U exchange --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    cat >>"$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
max_connections = 200
shared_buffers = 256MB
fsync = on
synchronous_commit = on
logging_collector = off
CONF
    # A port can be taken between the check and the bind: try a few.
    for attempt in 1 2 3 4 5; do
      port=$(free_port)
      echo "port = $port" >"$data/port.conf"
      grep -q "include_if_exists = 'port.conf'" "$data/postgresql.conf" ||
        echo "include_if_exists = 'port.conf'" >>"$data/postgresql.conf"
      [ "$(id -u)" -eq 0 ] && chown nobody "$data/port.conf"
      pg_ctl_start 2>/dev/null && break
      [ "$attempt" -eq 5 ] && { tail -5 "$data/server.log" >&2; exit 1; }
    done
    "$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U exchange exchange
    url="postgresql://exchange@127.0.0.1:$port/exchange"
    echo "$url" >"$dir/pg.url"
    echo "$url"
    ;;
  stop)
    as_owner "$PGBIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null
    ;;
  start)
    pg_ctl_start
    ;;
  down)
    if [ -f "$data/postmaster.pid" ]; then
      as_owner "$PGBIN/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$data" "$dir/pg.url" "$dir/initdb.log"
    ;;
  *)
    echo "usage: pgcluster.sh up|stop|start|down DIR" >&2
    exit 2
    ;;
esac
