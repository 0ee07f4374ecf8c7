#!/usr/bin/env bash
# Starts local-aws-sqs (npm, an in-memory SQS server in Node that speaks SQS's JSON protocol; it
# does not check signatures) on 127.0.0.1:PORT, installing the pinned version from
# scripts/services/npm/package-lock.json on first use. QUEUES="a b" creates queues at start.
# Queue URLs: http://127.0.0.1:PORT/123456789012/<name>
# Usage: scripts/services/start-local-aws-sqs.sh DATADIR [PORT=9324]   Stop: stop-service.sh DATADIR
set -euo pipefail
dir=${1:?usage: start-local-aws-sqs.sh DATADIR [PORT]}
port=${2:-9324}
npm_dir=$(cd "$(dirname "$0")/npm" && pwd)
command -v node >/dev/null || { echo "node is missing: scripts/install-deps.sh queues" >&2; exit 1; }
if [ ! -f "$npm_dir/node_modules/local-aws-sqs/package.json" ]; then
    npm ci --prefix "$npm_dir" --no-audit --no-fund --loglevel=error >&2
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
cat > "$dir/local-aws-sqs.cjs" <<JS
const { createSqsServer } = require('$npm_dir/node_modules/local-aws-sqs');
const port = Number(process.argv[2]);
const queues = (process.env.QUEUES || '').split(/\s+/).filter(Boolean).map((QueueName) => ({ QueueName }));
createSqsServer({ port, hostname: '127.0.0.1', queues, emulateQueueCreationLifecycle: false }).then((server) => {
  console.log('local-aws-sqs listening on http://127.0.0.1:' + port);
  const stop = () => { server.close(); process.exit(0); };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
});
JS
node "$dir/local-aws-sqs.cjs" "$port" </dev/null >"$dir/local-aws-sqs.log" 2>&1 &
pid=$!
echo "$pid TERM local-aws-sqs" > "$dir/pids"
up() { curl -s -o /dev/null -X POST "http://127.0.0.1:$port/" --data 'Action=ListQueues&Version=2012-11-05'; }
for _ in $(seq 1 200); do
    up && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.05
done
up || { tail -20 "$dir/local-aws-sqs.log" >&2; exit 1; }
echo "READY local-aws-sqs endpoint=http://127.0.0.1:$port pid=$pid"
