#!/usr/bin/env bash
# PostgreSQL 15 cluster in DATADIR/data, listening on 127.0.0.1:PORT and on a unix socket in DATADIR.
# No systemd, no pg_ctlcluster: the package's own cluster is not used.
# Install: scripts/install-deps.sh postgres   (postgresql-15; the C client: libpq-dev)
# As root the server runs as user 'postgres' (initdb and postgres refuse root); DATADIR is given to
# that user and must be reachable by it (under /tmp, not /root). Otherwise it runs as the caller.
# Superuser 'postgres', trust authentication (loopback only). Re-running reuses the cluster.
# Test-speed settings: fsync=off, synchronous_commit=off, full_page_writes=off (a crash may lose data),
# unless POSTGRES_DURABLE=1 (./run.sh throat keeps its data).
# Usage: start-postgres.sh DATADIR [PORT=5433]      Stop: stop-service.sh DATADIR
set -euo pipefail
DIR=${1:?usage: $0 DATADIR [PORT]}; PORT=${2:-5433}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
[ -x "$PGBIN/initdb" ] || { echo "missing $PGBIN/initdb: scripts/install-deps.sh postgres" >&2; exit 1; }
mkdir -p "$DIR"; DIR=$(cd "$DIR" && pwd)
SPEED="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
[ "${POSTGRES_DURABLE:-0}" = 1 ] && SPEED=""
RUN=()
if [ "$(id -u)" = 0 ]; then RUN=(runuser -u postgres --); chown postgres:postgres "$DIR"; fi
if [ ! -f "$DIR/data/PG_VERSION" ]; then
    "${RUN[@]}" "$PGBIN/initdb" -D "$DIR/data" -U postgres --auth=trust --no-sync -E UTF8 \
        --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; exit 1; }
fi
"${RUN[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/postgres.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR $SPEED" \
    start >/dev/null || { tail -20 "$DIR/postgres.log" >&2; exit 1; }
pid=$(head -1 "$DIR/data/postmaster.pid")
echo "$pid INT postgres" > "$DIR/pids"          # SIGINT: fast shutdown (rolls back open transactions)
"$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PORT"
echo "READY postgres url=postgres://postgres@127.0.0.1:$PORT/postgres pid=$pid"
