#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the test suite and prints its TEST_DATABASE_URL.
# Usage: export TEST_DATABASE_URL=$(scripts/test-postgres.sh)   (stop: scripts/test-postgres.sh stop)
# Needs Debian's postgresql package (initdb and pg_ctl). Runs as the `postgres` user when
# started as root, because PostgreSQL refuses to run as root.
set -euo pipefail
PORT="${VANGRAIL_TEST_PG_PORT:-55432}"
DIR="${VANGRAIL_TEST_PG_DIR:-/tmp/vangrail-test-pg}"
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[ -x "$BIN/initdb" ] || { echo "test-postgres: PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ "${1:-}" = stop ]; then
  as_pg "$BIN/pg_ctl" -D "$DIR" -m fast stop >/dev/null 2>&1 || true
  exit 0
fi

if ! as_pg "$BIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
  rm -rf "$DIR"
  mkdir -p "$DIR"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$DIR"
  as_pg "$BIN/initdb" -D "$DIR" -U postgres -A trust -E UTF8 --no-locale >/dev/null
  as_pg "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w \
    -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null
fi
echo "postgres://postgres@127.0.0.1:$PORT/postgres"
