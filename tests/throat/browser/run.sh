#!/usr/bin/env bash
# throat's browser test: a private PostgreSQL, a throat server on a free port, and main_flow.mjs
# walking the site in headless Chromium (Debian's chromium package, driven by playwright-core).
# Exits 77 (ctest: skipped) when Chromium, Node.js or PostgreSQL is not installed
# (scripts/install-deps.sh browser postgres).
# Usage: tests/throat/browser/run.sh THROAT_BINARY [SCREENSHOT_DIR=build/tests/throat/browser/screenshots]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
binary=${1:?usage: run.sh THROAT_BINARY [SCREENSHOT_DIR]}
shots=${2:-$root/build/tests/throat/browser/screenshots}

skip() { echo "SKIP: $*"; exit 77; }
[ -x /usr/bin/chromium ] || skip "/usr/bin/chromium is absent (scripts/install-deps.sh browser)"
command -v node >/dev/null && command -v npm >/dev/null || skip "node/npm are absent"
[ -x /usr/lib/postgresql/15/bin/initdb ] || skip "PostgreSQL 15 is absent (scripts/install-deps.sh postgres)"
[ -x "$binary" ] || { echo "FAIL: $binary is not an executable"; exit 1; }
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
mkdir -p "$shots"
shots=$(cd "$shots" && pwd)

# playwright-core, pinned by package-lock.json; reinstalled only when the lock changed.
lock_sum=$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)
stamp=$here/node_modules/.installed-lock.sha256
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_sum" ]; then
    echo "== npm ci (playwright-core)"
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$lock_sum" > "$stamp"
fi

free_port() {
    node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => {
        console.log(s.address().port); s.close(); });'
}

# Under /tmp and world-traversable: as root, PostgreSQL runs as the user postgres.
work=$(mktemp -d /tmp/throat-browser.XXXXXX)
chmod 755 "$work"
server_pid=
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
    fi
    "$root/scripts/services/stop-service.sh" "$work/postgres" 10 >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pg_port=
for _ in 1 2 3; do
    candidate=$(free_port)
    if "$root/scripts/services/start-postgres.sh" "$work/postgres" "$candidate" >"$work/pg-start.log" 2>&1; then
        pg_port=$candidate
        break
    fi
    "$root/scripts/services/stop-service.sh" "$work/postgres" 10 >/dev/null 2>&1 || true
done
[ -n "$pg_port" ] || { echo "FAIL: PostgreSQL did not start:"; cat "$work/pg-start.log"; exit 1; }

mkdir -p "$work/throat"
cat > "$work/throat/config.yaml" <<YAML
app:
  secret_key: "0123456789abcdef0123456789abcdef-browser"
database:
  host: 127.0.0.1
  port: $pg_port
  name: postgres
  user: postgres
ratelimit:
  enabled: false
YAML

cd "$work/throat"
if ! THROAT_ROOT="$work/throat" "$binary" migrate >"$work/migrate.log" 2>&1; then
    echo "FAIL: throat migrate:"; cat "$work/migrate.log"; exit 1
fi

THROAT_ROOT="$work/throat" LISTEN_ADDRESS=127.0.0.1 PORT=0 WORKERS=2 "$binary" >"$work/server.log" 2>&1 &
server_pid=$!
url=
for _ in $(seq 300); do
    url=$(grep -o 'listening on http://127\.0\.0\.1:[0-9]*/' "$work/server.log" | head -1 | sed 's/^listening on //; s/\/$//') || true
    [ -n "$url" ] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$url" ]; then
    echo "FAIL: throat did not start listening:"; tail -30 "$work/server.log"; exit 1
fi
echo "== throat at $url (PostgreSQL on 127.0.0.1:$pg_port); screenshots in $shots"

set +e
node "$here/main_flow.mjs" "$url" "$shots"
status=$?
set -e

kill -TERM "$server_pid" 2>/dev/null
wait "$server_pid" 2>/dev/null
server_status=$?
server_pid=
if [ $status -ne 0 ] || [ "${SHOW_SERVER_LOG:-0}" = 1 ]; then
    echo "== throat's log (last 40 lines)"
    tail -40 "$work/server.log"
fi
if [ $server_status -ne 0 ] && [ $status -eq 0 ]; then
    echo "FAIL: throat exited $server_status on SIGTERM"
    status=1
fi
exit $status
