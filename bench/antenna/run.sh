#!/usr/bin/env bash
# Crash-report throughput of antenna next to the ceiling server (and any --target URL).
# Usage: bench/antenna/run.sh [--corpus realistic|400k|5k] [--connections 10,50] [--duration 10]
#                             [--target URL] [--modes syncfs,fsync,nosync,inline]
#        bench/antenna/run.sh --slow-uploads 1000 [--upload-rate 256] [--gzip]   (memory test)
# Results and how to read them: docs/performance.md
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/install-deps.sh bench
scripts/build.sh release --no-tests >/dev/null
exec python3 bench/antenna/bench.py "$@"
