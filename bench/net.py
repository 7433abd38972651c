#!/usr/bin/env python3
"""net.py: what the network costs: test/Net's echo and web servers, natively and as
images on QEMU (ukrun -p), asked by a client here over 127.0.0.1. Prints a markdown
table: MiB/s echoed (both directions at once), MiB/s of one large HTTP response (from
the server alone), keep-alive HTTP requests per second, requests per second with a new
connection each.

usage: bench/net.py BUILD [--accel tcg] [--runs 3]"""
import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(root, "test", "Net"))
from client import free_port, wait_for_listener  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("build")
parser.add_argument("--accel", default="tcg")
parser.add_argument("--runs", type=int, default=3)
opts = parser.parse_args()
inputs = os.path.join(root, "test", "Net", "Inputs")


def serve(command, out):
    with open(out, "w") as f:
        server = subprocess.Popen(command, stdout=f)
    wait_for_listener(out, time.monotonic() + 60)
    return server


def echo_rate(port, size=32 << 20):
    s = socket.create_connection(("127.0.0.1", port))
    data = bytes(size)
    start = time.monotonic()
    sender = threading.Thread(target=lambda: (s.sendall(data), s.shutdown(socket.SHUT_WR)))
    sender.start()
    got = 0
    while chunk := s.recv(1 << 16):
        got += len(chunk)
    sender.join()
    s.close()
    assert got == size
    return size / (1 << 20) / (time.monotonic() - start)


def download_rate(port, size=16 << 20):
    """MiB/s of one GET /bytes/SIZE, headers to the body's last byte."""
    s = socket.create_connection(("127.0.0.1", port))
    start = time.monotonic()
    s.sendall(f"GET /bytes/{size} HTTP/1.1\r\nHost: g\r\n\r\n".encode())
    reply = bytearray()
    while True:
        head, separator, body = bytes(reply[:4096]).partition(b"\r\n\r\n")
        if separator and len(reply) - len(head) - 4 >= size:
            break
        chunk = s.recv(1 << 20)
        assert chunk, "the server closed the connection"
        reply += chunk
    s.close()
    return size / (1 << 20) / (time.monotonic() - start)


def ask(s):
    s.sendall(b"GET / HTTP/1.1\r\nHost: g\r\n\r\n")
    reply = b""
    while not reply.endswith(b"unikernel\n"):
        reply += s.recv(4096)


def keepalive_rate(port, count=3000):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    start = time.monotonic()
    for _ in range(count):
        ask(s)
    s.close()
    return count / (time.monotonic() - start)


def connection_rate(port, count=300):
    start = time.monotonic()
    for _ in range(count):
        with socket.create_connection(("127.0.0.1", port)) as s:
            ask(s)
    return count / (time.monotonic() - start)


def measure(kind, tmp):
    """Median of the runs of each figure, natively or on QEMU."""
    figures = {"echo": [], "download": [], "keepalive": [], "connections": []}
    for run in range(opts.runs):
        port = free_port(socket.SOCK_STREAM)
        for program, key in (("tcp-echo", "echo"), ("web", None)):
            if kind == "native":
                command = [os.path.join(tmp, program), str(port), "1"]
            else:
                command = [os.path.join(opts.build, "bin", "ukrun"), f"--accel={opts.accel}",
                           "--timeout=300", "-p", f"{port}:80",
                           os.path.join(tmp, program + ".img"), "--", "80", "1"]
            server = serve(command, os.path.join(tmp, "out.txt"))
            if key:
                figures["echo"].append(echo_rate(port))
            else:
                figures["keepalive"].append(keepalive_rate(port))
                figures["connections"].append(connection_rate(port))
                figures["download"].append(download_rate(port))
                with socket.create_connection(("127.0.0.1", port)) as s:
                    s.sendall(b"GET /quit HTTP/1.1\r\nHost: g\r\n\r\n")
                    s.recv(4096)
            server.wait(timeout=60)
    return {k: statistics.median(v) for k, v in figures.items()}


with tempfile.TemporaryDirectory() as tmp:
    for program in ("tcp-echo", "web"):
        source = os.path.join(inputs, program + ".c")
        subprocess.run(["/usr/lib/llvm-19/bin/clang", "-static", "-O2", source, "-o",
                        os.path.join(tmp, program)], check=True)
        subprocess.run([os.path.join(opts.build, "bin", "ukcc"), "--target=qemu", "-O2", source,
                        "-o", os.path.join(tmp, program + ".img")], check=True)
    rows = [("native Linux process", measure("native", tmp)),
            (f"QEMU {opts.accel.upper()} (ukrun -p)", measure("qemu", tmp))]
print("| where | echo MiB/s (each way) | download MiB/s | keep-alive requests/s "
      "| new connection requests/s |")
print("|---|---:|---:|---:|---:|")
for name, f in rows:
    print(f"| {name} | {f['echo']:.0f} | {f['download']:.0f} | {f['keepalive']:.0f} "
          f"| {f['connections']:.0f} |")
