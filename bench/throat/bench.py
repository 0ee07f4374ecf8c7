"""Throat's page throughput: a private PostgreSQL seeded with a forum (bench/throat/seed.sql),
throat in front of it, wrk on a few pages; prints one table. Usage: see bench/throat/run.sh."""

import argparse
import ctypes
import glob
import http.client
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
THROAT = os.environ.get("THROAT_BIN", os.path.join(ROOT, "build", "bin", "throat"))
PSQL = os.environ.get("PSQL", "psql")
PREFIX = "throat-bench-"
CONFIG = """app:
  secret_key: "0123456789abcdef0123456789abcdef-bench"
database:
  host: 127.0.0.1
  port: {port}
  name: postgres
  user: postgres
  max_connections: {connections}
ratelimit:
  enabled: false
"""
USER, PASSWORD = "benchuser", "benchpassword1"


def log(message):
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def die_with_parent():
    """In a child, before exec: SIGTERM when this script dies, even by SIGKILL."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def alive(pid):
    try:
        state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def process_tree(pid):
    """pid and its descendants (the postmaster's backends)."""
    pids = [pid]
    try:
        children = open(f"/proc/{pid}/task/{pid}/children").read().split()
    except FileNotFoundError:
        return pids
    for child in children:
        pids.extend(process_tree(int(child)))
    return pids


def cpu_seconds(pids):
    """utime + stime of the processes (every thread's), in seconds."""
    total = 0
    for pid in pids:
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


def status_kib(pid, field):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def reset_peak_rss(pid):
    """Resets VmHWM to the current RSS (Linux >= 4.0), so that each row has its own peak."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def to_ms(text):
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def http_get(port, path, headers=None):
    """(status, headers, body) of one GET, redirects not followed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def cpu_model():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown CPU"


def clean_stale():
    """Stops the PostgreSQL of an earlier run that was killed before it could clean up."""
    for work in glob.glob(os.path.join(tempfile.gettempdir(), PREFIX + "*")):
        try:
            owner = int(open(os.path.join(work, "owner")).read())
        except (OSError, ValueError):
            continue
        if alive(owner):
            continue
        log(f"cleaning up after an earlier run: {work}")
        subprocess.run([os.path.join(ROOT, "scripts/services/stop-service.sh"),
                        os.path.join(work, "pg"), "10"], check=False)
        shutil.rmtree(work, ignore_errors=True)


class Bench:
    def __init__(self, args):
        self.args = args
        self.work = None
        self.server = None
        self.pg_started = False

    # ---- set-up

    def start_postgres(self):
        self.work = tempfile.mkdtemp(prefix=PREFIX)
        os.chmod(self.work, 0o755)  # PostgreSQL runs as user postgres when we are root
        with open(os.path.join(self.work, "owner"), "w") as f:
            f.write(str(os.getpid()))
        self.pg_dir = os.path.join(self.work, "pg")
        self.pg_port = free_port()
        self.pg_started = True
        subprocess.run([os.path.join(ROOT, "scripts/services/start-postgres.sh"), self.pg_dir,
                        str(self.pg_port)], check=True, stdout=subprocess.DEVNULL)
        self.pg_pid = int(open(os.path.join(self.pg_dir, "data", "postmaster.pid")).readline())

    def psql(self, *args, **kwargs):
        return subprocess.run([PSQL, "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres",
                               "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", *args],
                              check=True, capture_output=True, text=True, **kwargs).stdout

    def throat_env(self, **extra):
        return dict(os.environ, THROAT_ROOT=self.root, CONFIG_NAME="", **extra)

    def prepare_database(self):
        self.root = os.path.join(self.work, "root")
        os.makedirs(self.root)
        with open(os.path.join(self.root, "config.yaml"), "w") as f:
            f.write(CONFIG.format(port=self.pg_port, connections=max(8, self.args.workers)))
        for command in (["migrate"], ["admin", "create", USER, PASSWORD]):
            subprocess.run([THROAT, *command], env=self.throat_env(), check=True,
                           stdout=subprocess.DEVNULL)
        started = time.time()
        out = self.psql("-v", f"posts={self.args.posts}", "-v", f"comments={self.args.comments}",
                        "-v", f"users={self.args.users}", "-f", os.path.join(HERE, "seed.sql"))
        self.post_pid = int(re.search(r"bench_pid=(\d+)", out).group(1))
        counts = self.psql("-c", "SELECT (SELECT count(*) FROM users) || ' users, ' ||"
                           " (SELECT count(*) FROM subs) || ' subs, ' ||"
                           " (SELECT count(*) FROM sub_posts) || ' posts, ' ||"
                           " (SELECT count(*) FROM sub_post_comments) || ' comments, ' ||"
                           " (SELECT count(*) FROM sub_post_votes) || ' post votes, ' ||"
                           " pg_size_pretty(pg_database_size('postgres'))").strip()
        log(f"seeded in {time.time() - started:.1f}s: {counts}")
        self.sub_name = self.psql("-c", "SELECT s.name FROM subs s JOIN sub_posts p"
                                  f" ON p.sid = s.sid WHERE p.pid = {self.post_pid}").strip()

    def start_server(self):
        self.port = free_port()
        self.server_log = open(os.path.join(self.work, "throat.log"), "w")
        self.server = subprocess.Popen(
            [THROAT], stdout=self.server_log, stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent,
            env=self.throat_env(PORT=str(self.port), WORKERS=str(self.args.workers),
                                LOGGING_LEVEL="WARNING", ACCESS_LOG="false",
                                STATSD_HOST="127.0.0.1", STATSD_PORT="9"))
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.server.poll() is not None:
                break
            try:
                if http_get(self.port, "/__lbheartbeat__")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        self.server_log.flush()
        sys.stderr.write(open(self.server_log.name).read()[-3000:])
        raise SystemExit("throat did not answer /__lbheartbeat__ (its log is above)")

    def check_server(self):
        if self.server.poll() is not None:
            self.server_log.flush()
            sys.stderr.write(open(self.server_log.name).read()[-3000:])
            raise SystemExit(f"ERROR: throat exited (status {self.server.returncode}) during the "
                             "run; its log is above")

    def log_in(self):
        """A session cookie of the bench user (subscribed to the 5 default subs and 2 more)."""
        status, headers, body = http_get(self.port, "/login")
        cookie = headers["Set-Cookie"].split(";", 1)[0]
        token = re.search(rb'name="csrf_token" value="([^"]+)"', body).group(1).decode()
        form = urllib.parse.urlencode({"csrf_token": token, "username": USER,
                                       "password": PASSWORD, "next": "/"})
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        connection.request("POST", "/login", body=form, headers={
            "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
        response = connection.getresponse()
        response.read()
        connection.close()
        if response.status != 303 or not response.headers["Set-Cookie"]:
            raise SystemExit(f"logging in as {USER} failed: {response.status}")
        return response.headers["Set-Cookie"].split(";", 1)[0]

    def pages(self):
        """(name, path, headers) of the pages to drive, each checked to answer 200."""
        status, headers, _ = http_get(self.port, f"/p/{self.post_pid}")
        if status != 301:
            raise SystemExit(f"/p/{self.post_pid} answered {status}, not 301")
        post_path = headers["Location"]
        pages = [("front page (anonymous)", "/", {}),
                 ("/all/new", "/all/new", {}),
                 (f"/s/{self.sub_name}/hot", f"/s/{self.sub_name}/hot", {}),
                 ("post, 50 comments", post_path, {})]
        if not self.args.anonymous_only:
            pages.append(("front page (logged in)", "/", {"Cookie": self.log_in()}))
        for name, path, headers in pages:
            status, _, body = http_get(self.port, path, headers)
            if status != 200:
                raise SystemExit(f"{name}: GET {path} answered {status}, not 200")
            if "Cookie" in headers and USER.encode() not in body:
                raise SystemExit(f"{name}: GET {path} does not show {USER} logged in")
            log(f"{name}: GET {path} -> 200, {len(body) / 1024:.1f} KiB")
        return pages

    # ---- measuring

    def wrk(self, path, headers, connections, duration):
        command = ["wrk", f"-t{min(self.args.wrk_threads, connections)}", f"-c{connections}",
                   f"-d{duration}s", "--timeout", "10s", "--latency",
                   "-s", os.path.join(HERE, "statuses.lua")]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        result = subprocess.run(command + [f"http://127.0.0.1:{self.port}{path}"],
                                capture_output=True, text=True, preexec_fn=die_with_parent)
        if result.returncode != 0:
            raise SystemExit(f"wrk failed: {result.stderr}{result.stdout}")
        return result.stdout

    def measure(self, name, path, headers, connections):
        self.wrk(path, headers, connections, self.args.warmup)
        self.check_server()
        pg_pids = process_tree(self.pg_pid)
        hwm_reset = reset_peak_rss(self.server.pid)
        before = (cpu_seconds([self.server.pid]), cpu_seconds(pg_pids),
                  resource.getrusage(resource.RUSAGE_CHILDREN))
        started = time.time()
        out = self.wrk(path, headers, connections, self.args.duration)
        elapsed = time.time() - started
        self.check_server()
        wrk_usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        pg_pids = sorted(set(pg_pids) | set(process_tree(self.pg_pid)))
        row = {
            "page": name, "c": connections,
            "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "cpu": (cpu_seconds([self.server.pid]) - before[0]) / elapsed,
            "pg_cpu": (cpu_seconds(pg_pids) - before[1]) / elapsed,
            "wrk_cpu": (wrk_usage.ru_utime + wrk_usage.ru_stime - before[2].ru_utime
                        - before[2].ru_stime) / elapsed,
            "rss": status_kib(self.server.pid, "VmHWM" if hwm_reset else "VmRSS") / 1024,
        }
        for p in ("50", "90", "99"):
            row["p" + p] = to_ms(re.search(rf"\s{p}%\s+(\S+)", out).group(1))
        statuses = dict(re.findall(r"(\d+)=(\d+)", re.search(r"statuses:(.*)", out).group(1)))
        requests = sum(int(n) for n in statuses.values())
        row["bad"] = requests - int(statuses.get("200", 0))
        row["kib"] = int(re.search(r"body_bytes: (\d+)", out).group(1)) / max(requests, 1) / 1024
        problems = [f"{s}: {n}" for s, n in sorted(statuses.items()) if s != "200"]
        socket_errors = re.search(r"Socket errors: (.*)", out)
        if socket_errors:
            problems.append("socket errors: " + socket_errors.group(1).strip())
        row["problems"] = ", ".join(problems)
        if problems:
            log(f"ERRORS on {name} at {connections} connections: {row['problems']}")
        log(f"{name}, {connections} connections: {row['rps']:,.0f} req/s")
        return row

    def run(self):
        log(f"PostgreSQL, {self.args.posts} posts, {self.args.comments} comments...")
        self.start_postgres()
        self.prepare_database()
        self.start_server()
        pages = self.pages()
        load = open("/proc/loadavg").read().split()[:3]
        rows = []
        for connections in self.args.connections:
            for name, path, headers in pages:
                rows.append(self.measure(name, path, headers, connections))
        self.print_table(rows, load)
        if self.args.hold:
            log(f"holding on (Ctrl-C ends): throat at http://127.0.0.1:{self.port}/, psql -h "
                f"127.0.0.1 -p {self.pg_port} -U postgres; post {self.post_pid}")
            try:
                signal.pause()
            except KeyboardInterrupt:
                pass
        return 1 if any(r["problems"] for r in rows) else 0

    def print_table(self, rows, load):
        header = ["page", "conns", "req/s", "p50 ms", "p90 ms", "p99 ms", "non-200",
                  "server CPU (cores)", "postgres CPU (cores)", "wrk CPU (cores)",
                  "peak RSS MiB", "KiB/page"]
        table = [[r["page"], str(r["c"]), f"{r['rps']:,.0f}", f"{r['p50']:.2f}", f"{r['p90']:.2f}",
                  f"{r['p99']:.2f}", str(r["bad"]), f"{r['cpu']:.2f}", f"{r['pg_cpu']:.2f}",
                  f"{r['wrk_cpu']:.2f}", f"{r['rss']:.1f}", f"{r['kib']:.1f}"] for r in rows]
        widths = [max(len(row[i]) for row in table + [header]) for i in range(len(header))]
        a = self.args
        print(f"\nthroat, {a.workers} workers, {a.posts:,} posts, "
              f"{a.comments:,} comments, {a.users:,} users; wrk --latency, {a.duration}s a row "
              f"after {a.warmup}s of warm-up, all on one machine")
        for row in [header, ["-" * w for w in widths]] + table:
            print("| " + " | ".join(c.ljust(w) if i == 0 else c.rjust(w)
                                    for i, (c, w) in enumerate(zip(row, widths))) + " |")
        print(f"machine: {os.cpu_count()} cores ({cpu_model()}), load average before the runs "
              f"{' '.join(load)}; {time.strftime('%Y-%m-%d %H:%M %Z')}")
        bad = [r for r in rows if r["problems"]]
        if bad:
            print("\nERRORS (not every answer was 200):", file=sys.stderr)
            for r in bad:
                print(f"  {r['page']} at {r['c']} connections: {r['problems']}", file=sys.stderr)

    # ---- tear-down

    def cleanup(self):
        if self.server and self.server.poll() is None:
            self.server.send_signal(signal.SIGTERM)
            try:
                self.server.wait(timeout=35)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
        if self.pg_started:
            subprocess.run([os.path.join(ROOT, "scripts/services/stop-service.sh"), self.pg_dir,
                            "10"], check=False)
        if self.work:
            shutil.rmtree(self.work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--comments", type=int, help="default: 3 a post")
    parser.add_argument("--users", type=int, default=1_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds a row (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds before each row")
    parser.add_argument("--connections", default="10,50", help="comma-separated (default 10,50)")
    parser.add_argument("--workers", type=int, default=os.cpu_count(),
                        help="throat's WORKERS (default: one per core)")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--anonymous-only", action="store_true",
                        help="leave out the logged-in front page")
    parser.add_argument("--hold", action="store_true",
                        help="keep throat and PostgreSQL running after the table, until Ctrl-C")
    args = parser.parse_args()
    args.connections = [int(c) for c in args.connections.split(",")]
    if args.comments is None:
        args.comments = 3 * args.posts
    if args.posts < 100 or args.users < 20:
        parser.error("at least 100 posts and 20 users")

    # Ctrl-C raises KeyboardInterrupt (even when started in the background, with SIGINT
    # ignored); SIGTERM and SIGHUP end as cleanly.
    def stop(signum, _):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)
    clean_stale()
    if not os.access(THROAT, os.X_OK):
        raise SystemExit(f"{THROAT} is missing: scripts/build.sh release --no-tests")
    bench = Bench(args)
    try:
        status = bench.run()
    except KeyboardInterrupt:
        status = 130
    finally:
        # Not interrupted half-way by a second Ctrl-C.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        bench.cleanup()
    sys.exit(status)


if __name__ == "__main__":
    main()
