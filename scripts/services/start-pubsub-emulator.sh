#!/usr/bin/env bash
# Starts Google's Pub/Sub emulator (Java, in memory) on 127.0.0.1:PORT. It is not in Debian: it
# comes with the Google Cloud CLI (package google-cloud-cli-pubsub-emulator), which some
# machines have; exit 3 says it is absent, so tests can skip with that reason.
# REST: http://127.0.0.1:PORT/v1/projects/<project>/topics/<topic> (no credentials).
# Usage: scripts/services/start-pubsub-emulator.sh DATADIR [PORT=8085]   Stop: stop-service.sh DATADIR
set -euo pipefail
dir=${1:?usage: start-pubsub-emulator.sh DATADIR [PORT]}
port=${2:-8085}
emulator=${PUBSUB_EMULATOR_BIN:-/usr/lib/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator}
if [ ! -x "$emulator" ] || ! command -v java >/dev/null; then
    echo "the Pub/Sub emulator ($emulator, from the Google Cloud CLI) or java is not on this machine" >&2
    exit 3
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
(cd "$dir" && exec "$emulator" --host=127.0.0.1 --port="$port") </dev/null >"$dir/pubsub.log" 2>&1 &
pid=$!
echo "$pid TERM pubsub-emulator" > "$dir/pids"
up() { [ "$(curl -sf "http://127.0.0.1:$port/" 2>/dev/null)" = "Ok" ]; }
for _ in $(seq 1 600); do
    up && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.1
done
up || { tail -20 "$dir/pubsub.log" >&2; exit 1; }
echo "READY pubsub-emulator PUBSUB_EMULATOR_HOST=127.0.0.1:$port pid=$pid"
