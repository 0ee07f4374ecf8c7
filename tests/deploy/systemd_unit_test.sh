#!/usr/bin/env bash
# deploy/systemd/antenna.service passes `systemd-analyze verify` without a single complaint
# (unknown keys and misplaced settings only print a warning, so any output fails the test).
# ExecStart is pointed at the built binary: verify checks that it is executable.
# Usage: tests/deploy/systemd_unit_test.sh UNIT_FILE ANTENNA_BINARY
set -uo pipefail
unit=${1:?usage: systemd_unit_test.sh UNIT_FILE ANTENNA_BINARY}
binary=${2:?usage: systemd_unit_test.sh UNIT_FILE ANTENNA_BINARY}
command -v systemd-analyze >/dev/null || { echo "SKIP: systemd-analyze is not installed"; exit 77; }

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
sed "s|^ExecStart=/usr/local/bin/antenna|ExecStart=$binary|" "$unit" > "$dir/antenna.service"
grep -q "^ExecStart=$binary\$" "$dir/antenna.service" || { echo "FAIL: no ExecStart=/usr/local/bin/antenna in $unit"; exit 1; }
output=$(systemd-analyze verify "$dir/antenna.service" 2>&1)
status=$?
if [ $status -ne 0 ] || [ -n "$output" ]; then
    echo "FAIL: systemd-analyze verify exited $status and said:"
    echo "$output"
    exit 1
fi
echo "PASS: systemd-analyze verify accepts $unit"
