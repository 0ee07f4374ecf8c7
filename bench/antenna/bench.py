"""Drives antenna, the ceiling server and optionally another collector with the same corpus
of crash reports (wrk), and prints one table: crashes/s, MB/s, latency, server CPU, peak RSS."""

import argparse
import asyncio
import gzip
import hashlib
import json
import math
import os
import random
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "core"))
from hello import cpu_seconds, free_port, peak_rss_mib, process_tree, to_ms, wait_listening  # noqa: E402

BOUNDARY = "b" * 32
MAX_BODY = 25 * 1024 * 1024


def part(headers, value):
    return f"--{BOUNDARY}\r\n{headers}\r\n\r\n".encode() + value + b"\r\n"


def crash_report(rng, dump_size, annotations, use_json, incompressible=False):
    fields = {"ProductName": "Firefox", "Version": "120.0", "ReleaseChannel": "release",
              "BuildID": "20231120093500"}
    for i in range(annotations - len(fields)):
        fields[f"Annotation{i:02d}"] = "".join(rng.choice("abcdef0123456789 ") for _ in range(rng.randint(4, 80)))
    body = b""
    if use_json:
        body += part('Content-Disposition: form-data; name="extra"; filename="extra.json"\r\n'
                     "Content-Type: application/json", json.dumps(fields).encode())
    else:
        for name in sorted(fields):
            body += part(f'Content-Disposition: form-data; name="{name}"\r\n'
                         "Content-Type: text/plain; charset=utf-8", fields[name].encode())
    # Minidumps are half structured (compressible) and half memory contents (not).
    half = dump_size if incompressible else dump_size // 2
    dump = rng.randbytes(half) + (b"MDMP\x93\xa7\x00\x00" * (dump_size - half))[: dump_size - half]
    body += part('Content-Disposition: form-data; name="upload_file_minidump"; '
                 'filename="crash.dmp"\r\nContent-Type: application/octet-stream', dump)
    return body + f"--{BOUNDARY}--\r\n".encode()


def make_corpus(kind, directory, count=48, seed=7):
    """Crash reports around a 400 KB median with a long tail (or all about 400 KB, or all
    5 KB), some gzipped, some with a JSON payload; returns the index path and the mean body
    size."""
    rng = random.Random(seed)
    os.makedirs(directory, exist_ok=True)
    lines, total = [], 0
    for i in range(count):
        if kind == "5k":
            dump_size = 2500
        elif kind == "400k":
            dump_size = 395_000
        else:
            dump_size = int(min(MAX_BODY - 100_000, max(20_000, rng.lognormvariate(math.log(400_000), 1.0))))
        body = crash_report(rng, dump_size, rng.randint(20, 60), rng.random() < 0.2)
        encoding = ""
        if rng.random() < 0.25:
            body, encoding = gzip.compress(body, 6), "gzip"
        path = os.path.join(directory, f"crash-{i:03d}.bin")
        with open(path, "wb") as out:
            out.write(body)
        total += len(body)
        lines.append(f"{path}\tmultipart/form-data; boundary={BOUNDARY}\t{encoding}")
    index = os.path.join(directory, "index.tsv")
    with open(index, "w") as out:
        out.write("\n".join(lines) + "\n")
    return index, total / count


def spooled(spool):
    """Crashes acknowledged but not yet in storage, as `antenna spool list` counts them."""
    out = subprocess.run(["build/bin/antenna", "spool", "list"], capture_output=True, text=True,
                         env=dict(os.environ, CRASHMOVER_SPOOL_DIR=spool))
    match = re.search(r"^(\d+) crashes", out.stdout, re.M)
    return int(match.group(1)) if match else "?"


def sha256_rate():
    """sha256 on one core (OpenSSL, as antenna), in bytes/s."""
    block = os.urandom(1 << 20)
    digest, started = hashlib.sha256(), time.perf_counter()
    for _ in range(512):
        digest.update(block)
    return 512 * len(block) / (time.perf_counter() - started)


def durable_write_rates(directory, gib=4):
    """Sequential writes made durable on the benchmark's filesystem, in bytes/s: over the
    first GiB, and over `gib` GiB (virtual disks often take a burst fast, then slow down)."""
    block = os.urandom(1 << 20)
    path = os.path.join(directory, "write-rate")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    rates, started = [], time.perf_counter()
    try:
        for _ in range(gib):
            for _ in range(1024):
                os.write(fd, block)
            os.fdatasync(fd)
            rates.append((len(rates) + 1) * 1024 * len(block) / (time.perf_counter() - started))
    finally:
        os.close(fd)
        os.unlink(path)
    return rates[0], rates[-1]


def run_wrk(url, index, connections, duration):
    script = os.path.join(os.path.dirname(__file__), "post_corpus.lua")
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "30s",
                          "--latency", "-s", script, url, "--", index],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = {p: to_ms(re.search(rf"\s{p}%\s+(\S+)", out).group(1)) for p in ("50", "90", "99")}
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return rps, latency, (f"non-2xx {bad.group(1)} " if bad else "") + (errors.group(1) if errors else "")


def start(command, env):
    port = free_port()
    process = subprocess.Popen(command, env=dict(env, PORT=str(port)), stdout=subprocess.DEVNULL)
    wait_listening(port)
    return process, f"http://127.0.0.1:{port}/submit"


def measure(name, url, pid, index, mean_size, connections, duration):
    run_wrk(url, index, connections, 2)  # warm up
    pids = process_tree(pid) if pid else []
    cpu_before, started = cpu_seconds(pids), time.time()
    rps, latency, errors = run_wrk(url, index, connections, duration)
    cores = (cpu_seconds(pids) - cpu_before) / (time.time() - started) if pid else float("nan")
    return {"name": name, "c": connections, "rps": rps, "mbs": rps * mean_size / 1e6,
            "p50": latency["50"], "p90": latency["90"], "p99": latency["99"], "cpu": cores,
            "rss": peak_rss_mib(pids) if pid else float("nan"), "errors": errors}


async def slow_upload(port, head, body, rate, results):
    """One client: the request head, then the body at `rate` bytes/s; records the status."""
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError as e:
        results.append(f"connect: {e.strerror}")
        return
    try:
        writer.write(head)
        chunk, started = 64 * 1024, time.monotonic()
        for offset in range(0, len(body), chunk):
            writer.write(body[offset:offset + chunk])
            await writer.drain()
            ahead = (offset + chunk) / rate - (time.monotonic() - started)
            if ahead > 0:
                await asyncio.sleep(ahead)
        status = await reader.readline()
        results.append(status.split()[1].decode() if status else "closed")
    except OSError as e:
        results.append(f"error: {e.strerror}")
    finally:
        writer.close()


async def slow_uploads(port, clients, size, rate, gzipped):
    rng = random.Random(11)
    body = crash_report(rng, size - 8_000, 30, False)
    encoding = ""
    if gzipped:
        # Random bytes do not shrink: the compressed body is as large as the plain one.
        body = gzip.compress(crash_report(rng, size - 40_000, 30, False, incompressible=True), 1)
        encoding = "Content-Encoding: gzip\r\n"
    head = (f"POST /submit HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\n"
            f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n{encoding}\r\n").encode()
    results = []
    await asyncio.gather(*(slow_upload(port, head, memoryview(body), rate, results)
                           for _ in range(clients)))
    return results, len(body)


def memory_test(args, env, work):
    """Many clients each uploading one large crash slowly, all at once: antenna's peak RSS."""
    storage, spool = os.path.join(work, "crashes"), os.path.join(work, "spool")
    process, url = start(["build/bin/antenna"], dict(
        env, CRASHMOVER_CRASHSTORAGE_CLASS="fs", CRASHMOVER_CRASHSTORAGE_FS_ROOT=storage,
        CRASHMOVER_SPOOL_DIR=spool, BREAKPAD_THROTTLER_RULES="ACCEPT_ALL",
        BREAKPAD_THROTTLER_PRODUCTS="ALL_PRODUCTS", CRASHMOVER_SPOOL_MIN_FREE_BYTES="0",
        MAX_BODY_BYTES=str(MAX_BODY), WORKER_CONNECTIONS=str(args.slow_uploads)))
    port = int(url.split(":")[2].split("/")[0])
    # Only now, so that antenna starts with the caller's limit and raises its own.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    try:
        pids = process_tree(process.pid)
        cpu_before, started = cpu_seconds(pids), time.time()
        results, size = asyncio.run(slow_uploads(port, args.slow_uploads, MAX_BODY,
                                                 args.upload_rate * 1024, args.gzip))
        elapsed = time.time() - started
        cores = (cpu_seconds(pids) - cpu_before) / elapsed
        rss = peak_rss_mib(pids)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait()
    outcomes = {}
    for result in results:
        outcomes[result] = outcomes.get(result, 0) + 1
    print(f"\n{args.slow_uploads} clients at once, each uploading {size / 2**20:.1f} MiB"
          f"{' gzipped' if args.gzip else ''} at "
          f"{args.upload_rate} KiB/s; {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores")
    print(f"| answers | seconds | GB received | server CPU (cores) | peak RSS MiB |")
    print(f"| ------- | ------- | ----------- | ------------------ | ------------ |")
    print(f"| {', '.join(f'{k}: {v}' for k, v in sorted(outcomes.items()))} | {elapsed:.0f} | "
          f"{len(results) * size / 1e9:.1f} | {cores:.2f} | {rss:.1f} |")


MODES = {
    "syncfs": {"CRASHMOVER_ACK": "spool", "CRASHMOVER_SPOOL_SYNC": "syncfs"},
    "fsync": {"CRASHMOVER_ACK": "spool", "CRASHMOVER_SPOOL_SYNC": "fsync"},
    "nosync": {"CRASHMOVER_ACK": "spool", "CRASHMOVER_SPOOL_SYNC": "off"},
    "inline": {"CRASHMOVER_ACK": "sync"},
}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", choices=["realistic", "400k", "5k"], default="realistic")
    parser.add_argument("--connections", default="10,50")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--target", help="another collector's submit URL, driven with the same load")
    parser.add_argument("--modes", default="syncfs",
                        help="antenna variants, comma-separated: syncfs, fsync, nosync (spool "
                             "acknowledgement with CRASHMOVER_SPOOL_SYNC=syncfs/fsync/off) and "
                             "inline (CRASHMOVER_ACK=sync, saved inside the request as Antenna)")
    parser.add_argument("--slow-uploads", type=int, metavar="CLIENTS",
                        help="instead of the table: the memory test, CLIENTS clients each "
                             "uploading a 25 MiB crash at once, slowly; prints antenna's peak RSS")
    parser.add_argument("--gzip", action="store_true",
                        help="memory test: the uploads are gzipped (antenna inflates each one)")
    parser.add_argument("--upload-rate", type=int, default=256, metavar="KIB_PER_S",
                        help="each slow client's upload rate (default 256 KiB/s)")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="antenna-bench-")
    if args.slow_uploads:
        env = dict(os.environ, WORKERS=str(args.workers), ACCESS_LOG="false",
                   LOGGING_LEVEL="WARNING", STATSD_HOST="127.0.0.1", STATSD_PORT="9")
        try:
            memory_test(args, env, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return
    try:
        index, mean_size = make_corpus(args.corpus, os.path.join(work, "corpus"))
        sha256 = sha256_rate()
        env = dict(os.environ, WORKERS=str(args.workers), ACCESS_LOG="false",
                   LOGGING_LEVEL="WARNING", STATSD_HOST="127.0.0.1", STATSD_PORT="9")
        rows = []
        for connections in [int(c) for c in args.connections.split(",")]:
            storage = os.path.join(work, f"crashes-{connections}")
            spool = os.path.join(work, "spool")
            antenna_env = dict(env, CRASHMOVER_CRASHSTORAGE_CLASS="fs",
                               CRASHMOVER_CRASHSTORAGE_FS_ROOT=storage,
                               CRASHMOVER_SPOOL_DIR=spool,
                               BREAKPAD_THROTTLER_RULES="ACCEPT_ALL",
                               BREAKPAD_THROTTLER_PRODUCTS="ALL_PRODUCTS")
            servers = [(f"antenna ({mode})", ["build/bin/antenna"], dict(antenna_env, **MODES[mode]))
                       for mode in args.modes.split(",")]
            servers.append(("ceiling (read + sha256)", ["build/bin/ceiling-server"], env))
            for name, command, command_env in servers:
                process, url = start(command, command_env)
                try:
                    row = measure(name, url, process.pid, index, mean_size, connections,
                                  args.duration)
                    if os.path.isdir(spool):
                        row["backlog"] = spooled(spool)
                    rows.append(row)
                finally:
                    process.send_signal(signal.SIGTERM)
                    process.wait()
                # Kept until the end: ext4 without a journal searches past inodes freed in the
                # last 30 s, so deleting a run's files would slow down the next run.
                for directory in (storage, spool):
                    if os.path.isdir(directory):
                        kept = f"done-{len(rows)}-{os.path.basename(directory)}"
                        os.rename(directory, os.path.join(work, kept))
            if args.target:
                rows.append(measure(f"target {args.target}", args.target, None, index, mean_size,
                                    connections, args.duration))
        # Measured after the runs, not to slow them down.
        first_gib, sustained = durable_write_rates(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    header = ["server", "conns", "crashes/s", "MB/s", "p50 ms", "p90 ms", "p99 ms",
              "server CPU (cores)", "peak RSS MiB", "errors", "spooled at end"]
    table = [[r["name"], str(r["c"]), f"{r['rps']:,.0f}", f"{r['mbs']:,.1f}", f"{r['p50']:.1f}",
              f"{r['p90']:.1f}", f"{r['p99']:.1f}", f"{r['cpu']:.2f}", f"{r['rss']:.1f}",
              r["errors"], str(r.get("backlog", "-"))] for r in rows]
    widths = [max(len(row[i]) for row in table + [header]) for i in range(len(header))]
    print(f"\ncorpus {args.corpus} (mean {mean_size / 1000:,.0f} KB), wrk -t2, {args.duration}s, "
          f"{args.workers} workers, same machine ({os.cpu_count()} cores), {time.strftime('%Y-%m-%d')}")
    for row in [header, ["-" * w for w in widths]] + table:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |")
    print(f"machine: sha256 {sha256 / 1e9:.2f} GB/s on one core; durable sequential writes on "
          f"the benchmark's filesystem {first_gib / 1e6:,.0f} MB/s over 1 GiB, "
          f"{sustained / 1e6:,.0f} MB/s over 4 GiB")
    ceiling = {r["c"]: r["rps"] for r in rows if r["name"].startswith("ceiling")}
    target = {r["c"]: r["rps"] for r in rows if r["name"].startswith("target")}
    for r in rows:
        if r["name"].startswith("antenna") and r["c"] in ceiling:
            print(f"{r['name']} / ceiling at {r['c']} connections: {r['rps'] / ceiling[r['c']]:.2f}")
        if r["name"].startswith("antenna") and r["c"] in target:
            print(f"{r['name']} / target at {r['c']} connections: {r['rps'] / target[r['c']]:.2f}")
    for c, rps in target.items():
        print(f"10 x the target at {c} connections: {10 * rps:,.0f} crashes/s, "
              f"{10 * rps * mean_size / 1e6:,.0f} MB/s of request bodies")


if __name__ == "__main__":
    main()
