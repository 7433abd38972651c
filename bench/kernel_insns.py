#!/usr/bin/env python3
"""kernel_insns.py: how many guest kernel instructions a request costs, counted under
QEMU TCG. Where KVM emulates ring 0 (kvm_pvm, ~1.1-1.6 us an instruction) this count is
what a request costs in emulation, and it is the same guest code on any hypervisor.
QEMU logs each translated block of the kernel's code (-d in_asm, for its length) and
each execution of one (-d exec,nochain), through a wrapper put first on PATH, which
ukrun then starts as its QEMU. test/Net's web server (web.c) runs on a tap device in a
network namespace of its own, where the device offers checksum offload (QEMU's vnet
header), and on the user network, where it does not. Each figure is (instructions of a
run with N requests - those of a run with none) / N, medians of --runs; the kernel's
timers run while a request is served, so a small request's figure varies by some 10%.

usage: bench/kernel_insns.py BUILD [--runs 3]   (as root: it makes a network namespace)"""
import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
parser = argparse.ArgumentParser()
parser.add_argument("build")
parser.add_argument("--runs", type=int, default=3)
opts = parser.parse_args()
build = os.path.abspath(opts.build)
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(root, "test", "Net"))
from client import wait_for_listener  # noqa: E402

REAL_QEMU = shutil.which("qemu-system-x86_64")
WRAPPER = """#!/bin/sh
exec {qemu} "$@" -d in_asm,exec,nochain -dfilter {start:#x}..{end:#x} -D {log}
"""


def kernel_range(image):
    """The kernel's code: from __uk_kernel_start to the end of its executable segment."""
    names = subprocess.run(["/usr/lib/llvm-19/bin/llvm-nm", image], check=True,
                           capture_output=True, text=True).stdout
    start = int(re.search(r"^([0-9a-f]+) \w __uk_kernel_start$", names, re.M).group(1), 16)
    segments = subprocess.run(["/usr/lib/llvm-19/bin/llvm-readelf", "-lW", image], check=True,
                              capture_output=True, text=True).stdout
    for line in segments.splitlines():
        words = line.split()
        if words[:1] == ["LOAD"] and int(words[2], 16) == start:
            return start, start + int(words[5], 16)
    sys.exit("kernel_insns: no executable segment at __uk_kernel_start")


def count(log):
    """Kernel instructions executed: each block's length times its executions."""
    length, executed, block, total = {}, {}, None, 0
    with open(log, errors="replace") as f:
        for line in f:
            if line.startswith("IN:"):
                block = None
            elif block is None and re.match(r"0x[0-9a-f]+:", line):
                block = int(line.split(":")[0], 16)
                length[block] = 1
            elif block is not None and re.match(r"0x[0-9a-f]+:", line):
                length[block] += 1
            elif line.startswith("Trace "):
                pc = int(line.split("[")[1].split("/")[1], 16)
                executed[pc] = executed.get(pc, 0) + 1
    for pc, times in executed.items():
        total += times * length.get(pc, 0)
    return total


def http(host, port, path, keep):
    """Asks Path on one connection Keep times; the last body's length."""
    with socket.create_connection((host, port), timeout=120) as s:
        for _ in range(keep):
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: g\r\n\r\n".encode())
            reply = b""
            while True:
                head, separator, body = reply.partition(b"\r\n\r\n")
                if separator and len(body) >= int(re.search(rb"Content-Length: (\d+)",
                                                            head).group(1)):
                    break
                chunk = s.recv(1 << 20)
                assert chunk, "the server closed the connection"
                reply += chunk
    return len(body)


def run(image, tmp, backend, load):
    """Boots the server on Backend (tap or user) under the logging QEMU, runs Load (a
    list of (path, times on one connection)), asks /quit; the kernel instructions."""
    log = os.path.join(tmp, "qemu.log")
    start, end = kernel_range(image)
    wrapper_dir = os.path.join(tmp, "wrapper")
    os.makedirs(wrapper_dir, exist_ok=True)
    wrapper = os.path.join(wrapper_dir, "qemu-system-x86_64")
    with open(wrapper, "w") as f:
        f.write(WRAPPER.format(qemu=REAL_QEMU, start=start, end=end, log=log))
    os.chmod(wrapper, 0o755)
    env = dict(os.environ, PATH=wrapper_dir + ":" + os.environ["PATH"])
    if backend == "tap":
        host, port, net = "10.9.0.2", 80, ["--net", "tap:ukt9"]
    else:
        host, port, net = "127.0.0.1", 18080, ["-p", "18080:80"]
    out = os.path.join(tmp, "out.txt")
    with open(out, "w") as f:
        server = subprocess.Popen([os.path.join(build, "bin", "ukrun"), "--accel=tcg",
                                   "--timeout=900"] + net + [image, "--", "80"],
                                  stdout=f, env=env)
    wait_for_listener(out, time.monotonic() + 300, server)
    for path, times in load:
        http(host, port, path, times)
    http(host, port, "/quit", 1)
    if server.wait(timeout=300) != 0:
        sys.exit(f"kernel_insns: the server failed on {backend}")
    return count(log)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        image = os.path.join(tmp, "web.img")
        subprocess.run([os.path.join(build, "bin", "ukcc"), "--target=qemu",
                        "--manifest=" + os.path.join(root, "test", "Net", "Inputs", "tap.yaml"),
                        "-O2", os.path.join(root, "test", "Net", "Inputs", "web.c"), "-o",
                        image], check=True)
        print("| per | tap (checksum offload) | user network (no offload) |")
        print("|---|---:|---:|")
        def median(backend, load):
            return statistics.median(run(image, tmp, backend, load) for _ in range(opts.runs))

        base = {b: median(b, []) for b in ("tap", "user")}
        print(f"| boot, /quit, exit (a run) | {base['tap']:,.0f} | {base['user']:,.0f} |")
        for name, load, n in (("keep-alive request (GET /, 200 on one connection)",
                               [("/", 200)], 200),
                              ("MiB of response body (one 4 MiB GET)",
                               [("/bytes/4194304", 1)], 4)):
            row = [(median(b, load) - base[b]) / n for b in ("tap", "user")]
            print(f"| {name} | {row[0]:,.0f} | {row[1]:,.0f} |", flush=True)


if __name__ == "__main__":
    if os.environ.get("UK_KERNEL_INSNS_INSIDE") != "1":
        # A network namespace of its own, with the tap device (test/Net/tap-netns.sh).
        sys.exit(subprocess.run(
            ["unshare", "-n", "sh", os.path.join(root, "test", "Net", "tap-netns.sh"), "ukt9",
             "10.9.0.1/24", "env", "UK_KERNEL_INSNS_INSIDE=1", sys.executable,
             os.path.abspath(__file__), build, "--runs", str(opts.runs)]).returncode)
    main()
