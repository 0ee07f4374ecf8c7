#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each from its seed corpus.
# Usage: scripts/fuzz.sh [seconds in all, shared by the targets; default 60]
# A crash stops the run with the reproducer saved in build-fuzz/ (crash-*, leak-*, timeout-*).
set -euo pipefail
cd "$(dirname "$0")/.."

targets=(multipart s3_xml markdown)
seconds=$(( ${1:-60} / ${#targets[@]} ))
[ "$seconds" -ge 1 ] || seconds=1
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++ -DFUZZING=ON -DBUILD_TESTING=OFF >/dev/null
cmake --build build-fuzz --target multipart_fuzzer s3_xml_fuzzer markdown_fuzzer

status=0
for target in "${targets[@]}"; do
    corpus=$(mktemp -d)
    cp "fuzz/corpus/$target"/* "$corpus/"
    echo "== fuzzing $target for ${seconds}s"
    log="build-fuzz/${target}_fuzzer.log"
    if (cd build-fuzz && "fuzz/${target}_fuzzer" -max_total_time="$seconds" -max_len=65536 \
            -print_final_stats=1 "$corpus") >"$log" 2>&1; then
        grep -E '^stat::(number_of_executed_units|peak_rss_mb)' "$log" || true
    else
        tail -n 60 "$log"
        echo "fuzz: $target found a problem; reproducer in build-fuzz/ (see $log)" >&2
        status=1
    fi
    rm -rf "$corpus"
done
exit $status
