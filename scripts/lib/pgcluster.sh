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
#   pgcluster.sh standby DIR PRIMARY_DIR
#                            a streaming standby of PRIMARY_DIR's cluster in DIR/pg
#                            (pg_basebackup -R: standby.signal + primary_conninfo),
#                            started on a port of its own; prints its URL and
#                            writes it to DIR/pg.url
#
# Only loopback, trust authentication: never for production.
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
cmd=${1:?usage: pgcluster.sh up|stop|start|down|standby DIR}
dir=${2:?usage: pgcluster.sh up|stop|start|down|standby DIR}
data="$dir/pg"

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u nobody -- "$@"
  else
    "$@"
  fi
}

source "$(dirname "$0")/ports.sh"

# Lets `nobody` reach DIR/pg when we are root: traverse (not read) our directories on the way.
prepare_data_dir() {
  mkdir -p "$dir"
  rm -rf "$data"
  mkdir -p "$data"
  if [ "$(id -u)" -eq 0 ]; then
    d=$(cd "$dir" && pwd)
    while [ "$d" != "/" ]; do
      [ -O "$d" ] && chmod o+x "$d"
      d=$(dirname "$d")
    done
    chown nobody "$data"
  fi
  chmod 0700 "$data"
}

# Starts the cluster in $data on a free port (written to port.conf): a port
# can be taken between the check and the bind, so a few are tried.
start_on_free_port() {
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    as_owner sh -c "echo 'port = $port' >'$data/port.conf'"
    grep -q "include_if_exists = 'port.conf'" "$data/postgresql.conf" ||
      as_owner sh -c "echo \"include_if_exists = 'port.conf'\" >>'$data/postgresql.conf'"
    pg_ctl_start 2>/dev/null && return 0
  done
  tail -5 "$data/server.log" >&2
  exit 1
}

pg_ctl_start() {
  as_owner "$PGBIN/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 start >/dev/null
}

case "$cmd" in
  up)
    prepare_data_dir
    as_owner "$PGBIN/initdb" -D "$data" -U exchange --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    # wal_level replica and the replication line of pg_hba.conf are initdb's
    # defaults, so `standby` can take a base backup of any cluster made here.
    as_owner sh -c "cat >>'$data/postgresql.conf'" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
max_connections = 200
shared_buffers = 256MB
fsync = on
synchronous_commit = on
logging_collector = off
wal_level = replica
CONF
    start_on_free_port
    "$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U exchange exchange
    url="postgresql://exchange@127.0.0.1:$port/exchange"
    echo "$url" >"$dir/pg.url"
    echo "$url"
    ;;
  standby)
    primary=${3:?usage: pgcluster.sh standby DIR PRIMARY_DIR}
    primary_port=$(sed -n 's/^port = //p' "$primary/pg/port.conf")
    prepare_data_dir
    # --checkpoint=fast: the default spread checkpoint waits up to
    # checkpoint_completion_target x checkpoint_timeout (4.5 min) for the
    # backup's start after writes.
    as_owner "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$primary_port" -U exchange -D "$data" -R -X stream --checkpoint=fast \
      >"$dir/basebackup.log" 2>&1 || { cat "$dir/basebackup.log" >&2; exit 1; }
    start_on_free_port
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
    rm -rf "$data" "$dir/pg.url" "$dir/initdb.log" "$dir/basebackup.log"
    ;;
  *)
    echo "usage: pgcluster.sh up|stop|start|down|standby DIR" >&2
    exit 2
    ;;
esac
