#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the tests (sourced by .ci/run, or by hand: `source Scripts/start-postgres.sh`):
# Debian's server (installed if missing), a fresh data directory, a free port on 127.0.0.1, run as the postgres user
# (PostgreSQL refuses to run as root), stopped and removed on exit. Exports TANDEM_PG_URL and PG_BIN.
if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql
fi
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
export PG_BIN
PG_DIR=$(mktemp -d /tmp/tandem-pg.XXXXXX)
PG_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_postgres() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
[ "$(id -u)" = 0 ] && chown postgres "$PG_DIR"
as_postgres "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U postgres >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log"; exit 1; }
as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c max_connections=200 -c fsync=on" start >/dev/null \
    || { cat "$PG_DIR/server.log"; exit 1; }
stop_postgres() {
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
}
trap stop_postgres EXIT
export TANDEM_PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres?sslmode=disable"
export TANDEM_PG_DATA="$PG_DIR/data"
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT (data in $PG_DIR/data)"
