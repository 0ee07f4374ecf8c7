#!/usr/bin/env bash
# What deploy/docker/Dockerfile's runtime stage relies on, checked without Docker:
# - every shared library the built binary loads comes from a package it installs
#   (deploy/docker/runtime-packages.txt), and every package there exists in Debian 12;
# - version-json.sh writes the JSON Dockerflow's /__version__ serves, and refuses unsafe values.
# Usage: tests/deploy/docker_runtime_test.sh ANTENNA_BINARY
set -uo pipefail
binary=${1:?usage: docker_runtime_test.sh ANTENNA_BINARY}
here=$(cd "$(dirname "$0")/../../deploy/docker" && pwd)
fail() { echo "FAIL: $*"; exit 1; }

listed=$(grep -v '^#' "$here/runtime-packages.txt" | sort -u)
for pkg in $listed; do
    candidate=$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ {print $2}')
    [ -n "$candidate" ] && [ "$candidate" != "(none)" ] || fail "$pkg is not a Debian package here"
done

for library in $(ldd "$binary" | awk '$3 ~ /^\// {print $3}'); do
    owner=$(dpkg -S "$library" 2>/dev/null || dpkg -S "/usr$library" 2>/dev/null) ||
        fail "no package owns $library"
    pkg=${owner%%:*}
    echo "$listed" | grep -qx "$pkg" || fail "$library comes from $pkg, which runtime-packages.txt lacks"
done

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$here/version-json.sh" "$dir/version.json" 0123abc 1.4.0 https://example.com/antenna https://ci.example.com/42 ||
    fail "version-json.sh failed"
python3 - "$dir/version.json" <<'PY' || fail "version.json is not what Dockerflow serves"
import json, sys
assert json.load(open(sys.argv[1])) == {"build": "https://ci.example.com/42", "commit": "0123abc",
                                        "source": "https://example.com/antenna", "version": "1.4.0"}
PY
if "$here/version-json.sh" "$dir/bad.json" 'a"b' 1 2 3 2>/dev/null; then
    fail "version-json.sh accepted a quote"
fi
echo "PASS: the runtime image's packages cover $binary; version.json is well formed"
