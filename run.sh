#!/usr/bin/env bash
# Installs what is missing, builds, and starts antenna on 127.0.0.1:8000 with filesystem
# storage under ./var/. Any variable from `build/bin/antenna --help` may be set to override.
set -euo pipefail
cd "$(dirname "$0")"

program=${1:-antenna}
case "$program" in
    antenna) ;;
    *) echo "run.sh: unknown program '$program' (antenna)" >&2; exit 2 ;;
esac

scripts/install-deps.sh build
scripts/build.sh release --no-tests

mkdir -p var/crashes var/spool
export LISTEN_ADDRESS="${LISTEN_ADDRESS:-127.0.0.1}"
export PORT="${PORT:-8000}"
export CRASHMOVER_CRASHSTORAGE_CLASS="${CRASHMOVER_CRASHSTORAGE_CLASS:-fs}"
export CRASHMOVER_CRASHSTORAGE_FS_ROOT="${CRASHMOVER_CRASHSTORAGE_FS_ROOT:-$PWD/var/crashes}"
export CRASHMOVER_SPOOL_DIR="${CRASHMOVER_SPOOL_DIR:-$PWD/var/spool}"
exec build/bin/antenna
