#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test through ctest: first the release
# build, then the same suite built with AddressSanitizer + UndefinedBehaviorSanitizer. Before
# that, the libFuzzer targets run for FUZZ_SECONDS in all (default 60; 0 skips them). The S3
# storage and publisher tests start their own Ceph RGW, nginx, RabbitMQ, SQS server and, where
# the machine has it, Google's Pub/Sub emulator; the database client tests their own PostgreSQL
# (scripts/services/).
# Usage: ./test.sh [--no-sanitize] [extra ctest arguments, e.g. -R Limits]
set -euo pipefail
cd "$(dirname "$0")"

sanitize=1
if [ "${1:-}" = "--no-sanitize" ]; then
    sanitize=0
    shift
fi

scripts/install-deps.sh test s3 queues postgres browser runtime

fuzz_seconds=${FUZZ_SECONDS:-60}
if [ "$fuzz_seconds" != 0 ]; then
    scripts/fuzz.sh "$fuzz_seconds"
fi

run_suite() {
    local variant=$1 dir=$2
    shift 2
    echo "== building and testing: $variant"
    scripts/build.sh "$variant"
    (cd "$dir" && ctest --output-on-failure --parallel 2 --timeout 300 "$@")
}

run_suite release build "$@"
if [ "$sanitize" = 1 ]; then
    export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:strict_string_checks=1"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
    run_suite asan build-asan "$@"
fi
