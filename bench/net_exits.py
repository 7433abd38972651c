#!/usr/bin/env python3
"""net_exits.py: what a request costs the built-in monitor in exits (returns from
KVM_RUN), queue kicks and interrupts (`ukrun --stats`), figures that carry over to any
KVM host: test/Net's web server (web.c) served through `ukrun --hypervisor=kvm -p` on
the user network, asked by a client here. Each figure is (count of a run with N
requests - count of a run with none) / N, median of --runs. Where /dev/kvm does not
open, it runs itself inside test/nested_kvm.py's VM (KVM on QEMU TCG: the counts are
real there, times are not).

usage: bench/net_exits.py BUILD [--runs 3]"""
import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(root, "test", "Net"))
sys.path.insert(0, os.path.join(root, "test"))
from client import free_port, wait_for_listener  # noqa: E402
from nested_kvm import kvm_usable  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("build")
parser.add_argument("--runs", type=int, default=3)
opts = parser.parse_args()
build = os.path.abspath(opts.build)
if not kvm_usable():
    sys.exit(subprocess.run([sys.executable, os.path.join(root, "test", "nested_kvm.py"),
                             "--cache", os.path.join(build, "nested-kvm"), "--",
                             sys.executable, os.path.abspath(__file__), build,
                             "--runs", str(opts.runs)]).returncode)


def get(s, path):
    """One request on connection S; the response's body (web.c sends Content-Length)."""
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: g\r\n\r\n".encode())
    reply = b""
    while True:
        head, separator, body = reply.partition(b"\r\n\r\n")
        if separator and len(body) >= int(re.search(rb"Content-Length: (\d+)", head).group(1)):
            return body
        chunk = s.recv(1 << 20)
        if not chunk:
            raise RuntimeError("the server closed the connection")
        reply += chunk


COUNTS = ("exits", "kicks", "interrupts", "frames sent", "received")


def counts(image, tmp, load):
    """Boots the server, runs load(port), asks /quit; the run's COUNTS."""
    port = free_port(socket.SOCK_STREAM)
    out = os.path.join(tmp, "out.txt")
    with open(out, "w") as f:
        server = subprocess.Popen([os.path.join(build, "bin", "ukrun"), "--hypervisor=kvm",
                                   "--stats", "--timeout=300", "-p", f"{port}:80", image],
                                  stdout=f, stderr=subprocess.PIPE, text=True)
    wait_for_listener(out, time.monotonic() + 120, server)
    load(port)
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        get(s, "/quit")
    _, err = server.communicate(timeout=120)
    found = [re.search(rf"(\d+) {name}\b", err) for name in COUNTS]
    if server.returncode != 0 or not all(found):
        sys.exit(f"net_exits: the server failed ({server.returncode}):\n{err}")
    return [int(m.group(1)) for m in found]


def median_counts(image, tmp, load):
    runs = [counts(image, tmp, load) for _ in range(opts.runs)]
    return [statistics.median(column) for column in zip(*runs)]


def keepalive(count):
    def load(port):
        with socket.create_connection(("127.0.0.1", port)) as s:
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for _ in range(count):
                get(s, "/")
    return load


def connections(count):
    def load(port):
        for _ in range(count):
            with socket.create_connection(("127.0.0.1", port)) as s:
                get(s, "/")
    return load


def body(size):
    def load(port):
        with socket.create_connection(("127.0.0.1", port), timeout=120) as s:
            assert len(get(s, f"/bytes/{size}")) == size
    return load


with tempfile.TemporaryDirectory() as tmp:
    image = os.path.join(tmp, "web.img")
    subprocess.run([os.path.join(build, "bin", "ukcc"), "--target=kvm", "-O2",
                    os.path.join(root, "test", "Net", "Inputs", "web.c"), "-o", image],
                   check=True)
    base = median_counts(image, tmp, lambda port: None)
    rows = [("boot, one request (/quit), exit", "run", base)]
    for name, load, count, unit in (
            ("keep-alive request (GET /, 500 on one connection)", keepalive(500), 500,
             "request"),
            ("request on a new connection (100 connections)", connections(100), 100,
             "request"),
            ("MiB of response body (one 8 MiB GET)", body(8 << 20), 8, "MiB")):
        loaded = median_counts(image, tmp, load)
        rows.append((name, unit, [(a - b) / count for a, b in zip(loaded, base)]))
print("| what, per | " + " | ".join(COUNTS) + " |")
print("|---|" + "---:|" * len(COUNTS))
for name, unit, values in rows:
    print(f"| {name}, per {unit} | " + " | ".join(f"{v:.1f}" for v in values) + " |")
