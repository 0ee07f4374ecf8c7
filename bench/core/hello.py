"""Drives antenna's /__lbheartbeat__ and nginx's `return 200` with wrk; prints one table."""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

NGINX_CONF = """
worker_processes {workers};
pid {dir}/nginx.pid;
error_log {dir}/error.log;
daemon off;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path {dir}; proxy_temp_path {dir}; fastcgi_temp_path {dir};
    uwsgi_temp_path {dir}; scgi_temp_path {dir};
    server {{
        listen 127.0.0.1:{port} reuseport;
        location / {{ return 200; }}
    }}
}}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"nothing listens on port {port}")


def process_tree(pid):
    """pid and its children (nginx's workers)."""
    pids = [pid]
    children = f"/proc/{pid}/task/{pid}/children"
    if os.path.exists(children):
        for child in open(children).read().split():
            pids.extend(process_tree(int(child)))
    return pids


def cpu_seconds(pids):
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except FileNotFoundError:
            pass
    return total / ticks


def peak_rss_mib(pids):
    total = 0
    for pid in pids:
        try:
            for line in open(f"/proc/{pid}/status"):
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total / 1024


def to_ms(text):
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def run_wrk(url, connections, duration):
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url],
        capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = {p: to_ms(re.search(rf"\s{p}%\s+(\S+)", out).group(1)) for p in ("50", "90", "99")}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", out)
    return rps, latency, errors.group(0) if errors else ""


def measure(name, pid, url, args):
    run_wrk(url, args.connections, 2)  # warm up
    pids = process_tree(pid)
    cpu_before, started = cpu_seconds(pids), time.time()
    rps, latency, errors = run_wrk(url, args.connections, args.duration)
    cores = (cpu_seconds(pids) - cpu_before) / (time.time() - started)
    return [name, f"{rps:,.0f}", f"{latency['50']:.2f}", f"{latency['90']:.2f}",
            f"{latency['99']:.2f}", f"{cores:.2f}", f"{peak_rss_mib(pids):.1f}", errors]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    args = parser.parse_args()
    rows = []

    port = free_port()
    env = dict(os.environ, PORT=str(port), WORKERS=str(args.workers), ACCESS_LOG="false",
               STATSD_HOST="127.0.0.1", STATSD_PORT="9")
    antenna = subprocess.Popen(["build/bin/antenna"], env=env, stdout=subprocess.DEVNULL)
    try:
        wait_listening(port)
        rows.append(measure(f"antenna core ({args.workers} workers)", antenna.pid,
                            f"http://127.0.0.1:{port}/__lbheartbeat__", args))
    finally:
        antenna.send_signal(signal.SIGTERM)
        antenna.wait()

    if shutil.which("nginx"):
        with tempfile.TemporaryDirectory() as tmp:
            port = free_port()
            with open(f"{tmp}/nginx.conf", "w") as conf:
                conf.write(NGINX_CONF.format(workers=args.workers, dir=tmp, port=port))
            nginx = subprocess.Popen(["nginx", "-c", f"{tmp}/nginx.conf", "-p", tmp],
                                     stderr=subprocess.DEVNULL)
            try:
                wait_listening(port)
                rows.append(measure(f"nginx return 200 ({args.workers} workers)", nginx.pid,
                                    f"http://127.0.0.1:{port}/", args))
            finally:
                nginx.send_signal(signal.SIGQUIT)
                nginx.wait()

    header = ["server", "req/s", "p50 ms", "p90 ms", "p99 ms", "server CPU (cores)",
              "peak RSS MiB", "errors"]
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    print(f"\nwrk -t2 -c{args.connections} -d{args.duration}s, same machine "
          f"({os.cpu_count()} cores), {time.strftime('%Y-%m-%d')}")
    for row in [header, ["-" * w for w in widths]] + rows:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths)) + " |")
    if len(rows) == 2:
        ratio = float(rows[0][1].replace(",", "")) / float(rows[1][1].replace(",", ""))
        print(f"\nantenna core / nginx throughput: {ratio:.2f}")


if __name__ == "__main__":
    main()
