#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# First start: a cluster whose superuser is $POSTGRES_USER (password
# $POSTGRES_PASSWORD, scram-sha-256 over TCP) owning database $POSTGRES_DB
# (default: the user's name), as the official image does. Then
# PostgreSQL itself, as the postgres user, as the container's main process.
set -eu
bin=/usr/lib/postgresql/15/bin
as_postgres() { setpriv --reuid postgres --regid postgres --init-groups "$@"; }
mkdir -p "$PGDATA" /run/postgresql
chown postgres:postgres "$PGDATA" /run/postgresql
chmod 0700 "$PGDATA"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pwfile=$(mktemp)
  printf '%s\n' "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}" >"$pwfile"
  chown postgres "$pwfile"
  as_postgres "$bin/initdb" -D "$PGDATA" -U "${POSTGRES_USER:?}" --pwfile="$pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pwfile"
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  # The set-up server listens on no TCP port and on a socket of its own, so
  # that pg_isready (the health check) fails until the real server is up.
  init_socket=$(mktemp -d)
  chown postgres "$init_socket"
  as_postgres "$bin/pg_ctl" -D "$PGDATA" -o "-c listen_addresses='' -c unix_socket_directories=$init_socket" \
    -w start >/dev/null
  db=${POSTGRES_DB:-$POSTGRES_USER}
  [ "$db" = postgres ] || as_postgres "$bin/createdb" -h "$init_socket" -U "$POSTGRES_USER" -O "$POSTGRES_USER" "$db"
  as_postgres "$bin/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
  rm -rf "$init_socket"
  echo "postgres-entrypoint: initialised $PGDATA"
fi
exec setpriv --reuid postgres --regid postgres --init-groups "$bin/postgres" -D "$PGDATA" -c listen_addresses='*'
