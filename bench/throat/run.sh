#!/usr/bin/env bash
# Throat's page throughput: one command, from nothing to one table.
#
# Usage: bench/throat/run.sh [--posts 10000] [--comments 3*posts] [--users 1000]
#                            [--duration 10] [--warmup 2] [--connections 10,50] [--workers N]
#                            [--wrk-threads 2] [--anonymous-only] [--hold]
#
# What it does (bench/throat/bench.py, Python 3 stdlib only):
#   1. starts a private PostgreSQL 15 in a temp dir (/tmp/throat-bench-XXXX/pg, on a free port,
#      scripts/services/start-postgres.sh; stopped with stop-service.sh at the end);
#   2. writes a config.yaml (rate limits off: every request comes from 127.0.0.1), runs
#      `throat migrate` and `throat admin create benchuser benchpassword1`;
#   3. seeds the database with bench/throat/seed.sql in one psql call (a few seconds): 1,000
#      users, 20 subs (5 defaults, shown on the anonymous front page), N posts over the last
#      30 days with long-tailed scores, 3N comments (threads, one post with exactly 50), the
#      posts' votes and consistent counters; then VACUUM ANALYZE;
#   4. starts build/bin/throat (WORKERS=one per core unless --workers, ACCESS_LOG=false,
#      LOGGING_LEVEL=WARNING) and waits for /__lbheartbeat__;
#   5. for each --connections value and each page: `/` anonymous, `/all/new`, `/s/<sub>/hot`,
#      a post page with 50 comments (the canonical URL /p/<pid> redirects to), and `/` logged
#      in as benchuser (session cookie; subscribed to 7 subs) unless --anonymous-only:
#      wrk --warmup seconds (not counted), then --duration seconds with --latency, counting
#      the responses by status (statuses.lua);
#   6. prints one table: req/s, p50/p90/p99 latency, responses other than 200, the CPU used
#      by throat, by PostgreSQL (postmaster and backends) and by wrk (cores, from
#      /proc/<pid>/stat and getrusage), throat's peak RSS during the row (VmHWM, reset before
#      each row through /proc/<pid>/clear_refs) and the mean page size.
# Any answer other than 200, or a socket error, is reported on stderr and the exit status is 1.
# Everything (processes, temp dir) goes away on exit, Ctrl-C or SIGTERM; a run killed with
# SIGKILL is cleaned up by the next one. --hold keeps throat and PostgreSQL up after the table
# (for psql, EXPLAIN, curl) until Ctrl-C.
# The load generator runs on the same machine as throat and PostgreSQL: read the three CPU
# columns together against the machine's core count (printed under the table).
# THROAT_BIN overrides the binary (default build/bin/throat; build it with
# scripts/build.sh release --no-tests).
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/install-deps.sh bench postgres
exec python3 bench/throat/bench.py "$@"
