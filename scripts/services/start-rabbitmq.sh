#!/usr/bin/env bash
# RabbitMQ 3.10 node (Erlang 25) in DATADIR, AMQP on 127.0.0.1:PORT, no systemd, no /var/lib/rabbitmq.
# Install: apt-get install -y --no-install-recommends rabbitmq-server   (C client: librabbitmq-dev)
# Loopback only: AMQP listener, Erlang distribution (PORT+20000) and a private epmd (EPMD_PORT, default PORT-1300).
# Publisher confirms need no server setting: the client sends confirm.select (amqplib: createConfirmChannel();
# librabbitmq: amqp_confirm_select()). guest/guest works because clients connect from loopback.
# For rabbitmqctl against this node:  . DATADIR/env.sh && /usr/lib/rabbitmq/bin/rabbitmqctl list_queues
# Usage: start-rabbitmq.sh DATADIR [PORT=5673]      Stop: stop-service.sh DATADIR
set -euo pipefail
DIR=${1:?usage: $0 DATADIR [PORT]}; PORT=${2:-5673}; EPMD_PORT=${EPMD_PORT:-$((PORT - 1300))}
RBIN=/usr/lib/rabbitmq/bin
[ -x $RBIN/rabbitmq-server ] || { echo "apt-get install -y --no-install-recommends rabbitmq-server" >&2; exit 1; }
mkdir -p "$DIR"/{mnesia,log,home}; DIR=$(cd "$DIR" && pwd)
cat > "$DIR/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$PORT
loopback_users.guest = true
log.console = true
log.console.level = warning
log.file = false
CONF
echo "[]." > "$DIR/enabled_plugins"
cat > "$DIR/env.sh" <<ENV
export HOME=$DIR/home
export RABBITMQ_NODENAME=rabbit$PORT@localhost
export RABBITMQ_MNESIA_BASE=$DIR/mnesia
export RABBITMQ_LOG_BASE=$DIR/log
export RABBITMQ_CONFIG_FILE=$DIR/rabbitmq.conf
export RABBITMQ_ENABLED_PLUGINS_FILE=$DIR/enabled_plugins
export RABBITMQ_PID_FILE=$DIR/rabbit.pid
export ERL_CRASH_DUMP=$DIR/log/erl_crash.dump
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_NODE_PORT=$PORT
export RABBITMQ_DIST_PORT=$((PORT + 20000))
export ERL_EPMD_ADDRESS=127.0.0.1
export ERL_EPMD_PORT=$EPMD_PORT
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
export RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
ENV
. "$DIR/env.sh"
rm -f "$DIR/rabbit.pid"
# our own epmd, in the foreground of a background job, so we know its pid
epmd -address 127.0.0.1 -port "$EPMD_PORT" </dev/null >"$DIR/log/epmd.log" 2>&1 &
epmd_pid=$!
$RBIN/rabbitmq-server </dev/null >"$DIR/log/console.log" 2>&1 &
wrapper_pid=$!
# rabbitmqctl wait: returns once the node has booted (needs the pid file, which the node writes)
for _ in $(seq 1 300); do [ -s "$DIR/rabbit.pid" ] && break; kill -0 $wrapper_pid 2>/dev/null || break; sleep 0.1; done
[ -s "$DIR/rabbit.pid" ] || { tail -30 "$DIR/log/console.log" >&2; kill $epmd_pid; exit 1; }
beam_pid=$(cat "$DIR/rabbit.pid")
printf '%s TERM rabbitmq-beam\n%s TERM rabbitmq-wrapper\n%s TERM epmd\n' "$beam_pid" "$wrapper_pid" "$epmd_pid" > "$DIR/pids"
$RBIN/rabbitmqctl -q wait --timeout 90 "$DIR/rabbit.pid" >/dev/null 2>&1 || { tail -30 "$DIR/log/console.log" >&2; exit 1; }
echo "READY rabbitmq url=amqp://guest:guest@127.0.0.1:$PORT node=$RABBITMQ_NODENAME pid=$beam_pid"
