#!/usr/bin/env bash
# Installs what is missing, builds, and starts a program on 127.0.0.1 with its data under ./var/:
#   ./run.sh            antenna on :8000, filesystem storage (any variable from
#                       `build/bin/antenna --help` may be set to override)
#   ./run.sh throat     the forum on :8001 with a private PostgreSQL cluster in var/throat/
#                       (when THROAT_ROOT names no configuration of your own); the first start
#                       creates the account `admin` and prints its password once
set -euo pipefail
cd "$(dirname "$0")"

program=${1:-antenna}
case "$program" in
    antenna | throat) ;;
    *) echo "run.sh: unknown program '$program' (antenna, throat)" >&2; exit 2 ;;
esac

if [ "$program" = antenna ]; then
    scripts/install-deps.sh build
    scripts/build.sh release --no-tests
    mkdir -p var/crashes var/spool
    export LISTEN_ADDRESS="${LISTEN_ADDRESS:-127.0.0.1}"
    export PORT="${PORT:-8000}"
    export CRASHMOVER_CRASHSTORAGE_CLASS="${CRASHMOVER_CRASHSTORAGE_CLASS:-fs}"
    export CRASHMOVER_CRASHSTORAGE_FS_ROOT="${CRASHMOVER_CRASHSTORAGE_FS_ROOT:-$PWD/var/crashes}"
    export CRASHMOVER_SPOOL_DIR="${CRASHMOVER_SPOOL_DIR:-$PWD/var/spool}"
    exec build/bin/antenna
fi

export LISTEN_ADDRESS="${LISTEN_ADDRESS:-127.0.0.1}"
export PORT="${PORT:-8001}"
if [ -n "${THROAT_ROOT:-}" ]; then
    # A configuration of your own, with its own database.
    scripts/install-deps.sh build
    scripts/build.sh release --no-tests
    build/bin/throat migrate
    exec build/bin/throat
fi

scripts/install-deps.sh build postgres
scripts/build.sh release --no-tests
data=$PWD/var/throat
pg_port=${THROAT_POSTGRES_PORT:-5439}
mkdir -p "$data"
if [ ! -f "$data/config.yaml" ]; then
    secret=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
    cat > "$data/config.yaml" <<YAML
# Written by ./run.sh throat; edit freely (keys: docs/throat.md).
site:
  name: Throat
app:
  secret_key: "$secret"
database:
  host: 127.0.0.1
  port: $pg_port
  name: postgres
  user: postgres
  max_connections: 10
YAML
fi
POSTGRES_DURABLE=1 scripts/services/start-postgres.sh "$data/postgres" "$pg_port" >/dev/null
trap 'scripts/services/stop-service.sh "$data/postgres"' EXIT
export THROAT_ROOT=$data
build/bin/throat migrate
if [ ! -f "$data/admin-created" ]; then
    build/bin/throat admin create admin
    touch "$data/admin-created"
fi
echo "throat: http://$LISTEN_ADDRESS:$PORT/ (data in var/throat/, Ctrl-C stops it and the database)"
build/bin/throat
