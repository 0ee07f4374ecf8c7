#!/usr/bin/env bash
# Installs the Debian 12 packages the project needs, and nothing that is already there.
# Usage: scripts/install-deps.sh [build] [test] [bench] [s3] [queues] [postgres] [browser] [runtime]
#   (default: build)
#   runtime: what the built antenna needs to run (deploy/docker/runtime-packages.txt), the same
#   step the container image's runtime stage runs.
set -euo pipefail

build_packages=(g++ cmake ninja-build ccache pkg-config
    libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
    libssl-dev zlib1g-dev librabbitmq-dev libcmark-gfm-dev libcmark-gfm-extensions-dev
    libcrypt-dev libyaml-cpp-dev libpq-dev libkainjow-mustache-dev)
test_packages=(libgtest-dev libgmock-dev libbenchmark-dev clang-format python3 openssl
    clang libclang-rt-14-dev systemd)
bench_packages=(wrk nginx-light procps)
# A one-node Ceph cluster with RGW (scripts/services/start-radosgw.sh), ~250 MB.
s3_packages=(radosgw ceph-mon ceph-osd curl nginx-light openssl)
# Brokers for the publishers' tests: RabbitMQ, and Node.js for the npm SQS server unless the
# machine already has a node (Google's Pub/Sub emulator is not in Debian; its tests skip).
queues_packages=(rabbitmq-server curl)
command -v npm >/dev/null || queues_packages+=(nodejs npm)
# PostgreSQL for throat's database client and its tests (scripts/services/start-postgres.sh runs
# a throwaway cluster; the package's own cluster is not used).
postgres_packages=(postgresql-15)
# Headless Chromium for throat's browser test (tests/throat/browser/run.sh), driven by the npm
# package playwright-core, which needs Node.js (npm ci installs it on the test's first run).
browser_packages=(chromium)
command -v npm >/dev/null || browser_packages+=(nodejs npm)

here=$(cd "$(dirname "$0")" && pwd)
wanted=()
[ $# -eq 0 ] && set -- build
for group in "$@"; do
    case "$group" in
        build) wanted+=("${build_packages[@]}") ;;
        test) wanted+=("${build_packages[@]}" "${test_packages[@]}") ;;
        bench) wanted+=("${build_packages[@]}" "${bench_packages[@]}") ;;
        s3) wanted+=("${s3_packages[@]}") ;;
        queues) wanted+=("${queues_packages[@]}") ;;
        postgres) wanted+=("${postgres_packages[@]}") ;;
        browser) wanted+=("${browser_packages[@]}") ;;
        runtime) mapfile -t runtime_packages < <(grep -v '^#' "$here/../deploy/docker/runtime-packages.txt")
                 wanted+=("${runtime_packages[@]}") ;;
        *) echo "install-deps: unknown group '$group' (build, test, bench, s3, queues, postgres, browser, runtime)" >&2; exit 2 ;;
    esac
done

missing=()
for pkg in "${wanted[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
echo "install-deps: installing ${missing[*]}"
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
