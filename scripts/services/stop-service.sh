#!/usr/bin/env bash
# Stops what a scripts/services/start-*.sh script started in DATADIR (listed in DATADIR/pids as
# "PID SIGNAL NAME", in stopping order), each given TIMEOUT seconds before SIGKILL.
# Usage: scripts/services/stop-service.sh DATADIR [TIMEOUT=30]
set -uo pipefail

data=${1:?usage: stop-service.sh DATADIR [TIMEOUT]}
timeout=${2:-30}
[ -f "$data/pids" ] || exit 0

# A process that exited but was not reaped yet (a zombie) counts as gone.
# It may also vanish between two reads of /proc, which then counts as gone too.
running() {
    local state
    state=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
    [ -n "$state" ] && [ "$state" != Z ]
}

while read -r pid signal name; do
    [ -n "$pid" ] || continue
    running "$pid" || continue
    kill -"$signal" "$pid" 2>/dev/null
    for _ in $(seq $((timeout * 10))); do
        running "$pid" || break
        sleep 0.1
    done
    if running "$pid"; then
        echo "stop-service: $name ($pid) still running after ${timeout}s; killing it" >&2
        kill -KILL "$pid" 2>/dev/null
    fi
done < "$data/pids"
rm -f "$data/pids"
