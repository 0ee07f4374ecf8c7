#!/bin/sh
# Writes Dockerflow's version.json (served at /__version__) from build-time values. Values
# must not contain quotes, backslashes or control characters (they are written as they are).
# Usage: deploy/docker/version-json.sh OUT COMMIT VERSION SOURCE BUILD_URL
set -eu
[ $# -eq 5 ] || { echo "usage: version-json.sh OUT COMMIT VERSION SOURCE BUILD_URL" >&2; exit 2; }
out=$1
shift
for value in "$@"; do
    case "$value" in
        *[\"\\]* | *[[:cntrl:]]*) echo "version-json: unsafe value: $value" >&2; exit 2 ;;
    esac
done
printf '{"build": "%s", "commit": "%s", "source": "%s", "version": "%s"}\n' "$4" "$1" "$3" "$2" > "$out"
