#!/usr/bin/env python3
"""http-load.py: serves HTTP with COMMAND (ukrun, or the same server as a host process)
and loads it with ApacheBench (Debian's apache2-utils) on 127.0.0.1 only.

usage: http-load.py --requests N --concurrency C [--keepalive] [--path /] --out FILE
                    [--port N] [--body FILE] [--client-cpu N] -- COMMAND...
The word PORT in COMMAND becomes a free port of 127.0.0.1 (or --port). Waits (at most
60 s) until GET PATH answers 200, runs `ab` (at most 300 s), prints ab's counts and
figures, then stops the server's whole process group. Exits 1 if ab failed or any
request failed. COMMAND's standard output and error go to --out."""
import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_serving(url, server, seconds):
    """The first 200 answer's body, or None."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                if answer.status == 200:
                    return answer.read()
        except OSError:
            pass
        time.sleep(0.2)
    return None


def stop(server):
    """The server and what it started (ukrun's QEMU) are one process group."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def main():
    argv = sys.argv[1:]
    split = argv.index("--")
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, required=True)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--keepalive", action="store_true")
    parser.add_argument("--path", default="/")
    parser.add_argument("--port", type=int)
    parser.add_argument("--out", required=True)
    parser.add_argument("--body", help="a file the first answer must equal")
    parser.add_argument("--client-cpu", type=int, help="the CPU ab runs on (benchmarks)")
    args = parser.parse_args(argv[:split])
    port = args.port or free_port()
    command = [word.replace("PORT", str(port)) for word in argv[split + 1:]]
    url = f"http://127.0.0.1:{port}{args.path}"
    with open(args.out, "w") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    ok = False
    try:
        body = wait_until_serving(url, server, 60)
        if body is None:
            print("http-load: the server never answered", flush=True)
            return 1
        if args.body:
            with open(args.body, "rb") as f:
                same = f.read() == body
            print(f"body: {'identical' if same else 'DIFFERENT'} to {os.path.basename(args.body)}")
        pin = ["taskset", "-c", str(args.client_cpu)] if args.client_cpu is not None else []
        ab = pin + ["timeout", "300", "ab", "-q", "-n", str(args.requests), "-c",
              str(args.concurrency)] + (["-k"] if args.keepalive else []) + [url]
        result = subprocess.run(ab, capture_output=True, text=True)
        report = result.stdout
        def field(name):
            match = re.search(rf"^{name}:\s+([0-9.]+)", report, re.M)
            return match.group(1) if match else "?"
        failed = field("Failed requests")
        non_2xx = field("Non-2xx responses")
        print(f"ab status: {result.returncode}")
        print(f"complete requests: {field('Complete requests')}")
        print(f"failed requests: {failed}")
        print(f"non-2xx responses: {non_2xx if non_2xx != '?' else 0}")
        if args.keepalive:
            print(f"keep-alive requests: {field('Keep-Alive requests')}")
        percentile = re.search(r"^\s+99%\s+(\d+)", report, re.M)
        print(f"requests per second: {field('Requests per second')}", file=sys.stderr)
        print(f"p99 ms: {percentile.group(1) if percentile else '?'}", file=sys.stderr)
        ok = result.returncode == 0 and failed == "0" and non_2xx == "?"
        if not ok:
            print(report + result.stderr, file=sys.stderr)
    finally:
        stop(server)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
