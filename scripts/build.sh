#!/usr/bin/env bash
# Configures and builds one variant. Usage: scripts/build.sh [release|asan] [--no-tests]
#   release -> build/       optimized with debug info; programs in build/bin/
#   asan    -> build-asan/  AddressSanitizer + UndefinedBehaviorSanitizer
set -euo pipefail
cd "$(dirname "$0")/.."

variant=${1:-release}
testing=ON
[ "${2:-}" = "--no-tests" ] && testing=OFF
case "$variant" in
    release) dir=build; sanitize=OFF ;;
    asan) dir=build-asan; sanitize=ON ;;
    *) echo "build.sh: unknown variant '$variant' (release, asan)" >&2; exit 2 ;;
esac

# --no-tests (run.sh, benchmarks) does not turn the tests off in a directory built with them,
# where the test binaries would otherwise silently go stale.
if [ "$testing" = OFF ] && grep -q '^BUILD_TESTING:BOOL=ON' "$dir/CMakeCache.txt" 2>/dev/null; then
    testing=ON
fi
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSANITIZE="$sanitize" -DBUILD_TESTING="$testing" >/dev/null
cmake --build "$dir"
