#!/usr/bin/env bash
# Small-request throughput of the core (GET /__lbheartbeat__ on antenna) next to nginx
# answering an empty 200 on the same machine, driven by wrk. Prints one table.
# Usage: bench/core/hello.sh [--duration SECONDS] [--connections N] [--workers N]
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/install-deps.sh bench
scripts/build.sh release --no-tests >/dev/null
exec python3 bench/core/hello.py "$@"
