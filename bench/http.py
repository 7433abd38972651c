#!/usr/bin/env python3
"""http.py: an unmodified event-loop server, nginx from Debian's source, built once
natively (cc) and once as an image (ukcc, as test/Programs/nginx.test builds it), each
loaded in the same run by ApacheBench over 127.0.0.1 with keep-alive: requests per
second and the 99th percentile latency, side by side. The server and ab are pinned to
different CPUs. Prints a markdown table.

usage: bench/http.py BUILD [--accel tcg] [--requests 20000] [--concurrency 8] [--runs 3]"""
import argparse
import os
import re
import statistics
import subprocess
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
programs = os.path.join(root, "test", "Programs")
parser = argparse.ArgumentParser()
parser.add_argument("build")
parser.add_argument("--accel", default="tcg")
parser.add_argument("--requests", type=int, default=20000)
parser.add_argument("--concurrency", type=int, default=8)
parser.add_argument("--runs", type=int, default=3)
opts = parser.parse_args()
build = os.path.abspath(opts.build)
work = os.path.join(build, "bench", "nginx")
source = os.path.join(work, "src")
options = ["--without-http_rewrite_module", "--without-http_gzip_module",
           "--without-http_auth_basic_module"]


def run(command, log, cwd=None):
    with open(os.path.join(work, log), "w") as f:
        subprocess.run(command, cwd=cwd, stdout=f, stderr=subprocess.STDOUT, check=True)


def build_both():
    """The same source and modules, into objs-native and objs-image."""
    if not os.path.exists(os.path.join(source, "objs-image", "nginx")):
        os.makedirs(work, exist_ok=True)
        run(["sh", os.path.join(programs, "fetch-source.sh"), "nginx",
             os.path.join(build, "test", "sources"), source], "fetch.log")
        inputs = os.path.join(programs, "Inputs", "nginx")
        os.makedirs(os.path.join(source, "rootfs", "srv", "html"), exist_ok=True)
        for name, to in (("unikernel.yaml", ""), ("nginx.conf", "rootfs/srv")):
            with open(os.path.join(inputs, name)) as f, \
                    open(os.path.join(source, to, name), "w") as g:
                g.write(f.read())
        with open(os.path.join(source, "html", "index.html"), "rb") as f, \
                open(os.path.join(source, "rootfs", "srv", "html", "index.html"), "wb") as g:
            g.write(f.read())
        run(["./configure", "--builddir=objs-image", "--with-cc=" + os.path.join(build, "bin", "ukcc"),
             "--prefix=/tmp/", "--conf-path=/srv/nginx.conf", "--error-log-path=/dev/stderr",
             "--pid-path=/tmp/nginx.pid", "--http-log-path=/tmp/access.log"] + options,
            "configure-image.log", cwd=source)
        run(["make", "-j2"], "make-image.log", cwd=source)
    if not os.path.exists(os.path.join(source, "objs-native", "nginx")):
        run(["./configure", "--builddir=objs-native", "--prefix=" + work + "/native/"] + options,
            "configure-native.log", cwd=source)
        run(["make", "-j2"], "make-native.log", cwd=source)


def native_config():
    """The image's nginx.conf, for a host process: its own folders and port."""
    prefix = os.path.join(work, "native")
    os.makedirs(os.path.join(prefix, "html"), exist_ok=True)
    with open(os.path.join(source, "html", "index.html"), "rb") as f, \
            open(os.path.join(prefix, "html", "index.html"), "wb") as g:
        g.write(f.read())
    with open(os.path.join(programs, "Inputs", "nginx", "nginx.conf")) as f:
        conf = f.read()
    conf = conf.replace("user root root;", "")
    conf = conf.replace("pid /tmp/nginx.pid;", f"pid {prefix}/nginx.pid;")
    conf = conf.replace("listen 80;", "listen 127.0.0.1:PORT;")
    conf = conf.replace("root /srv/html;", f"root {prefix}/html;")
    return prefix, conf


def load(command, port=None):
    """Requests per second and p99 (ms) of one ab run against Command."""
    extra = ["--port", str(port)] if port else []
    result = subprocess.run(
        ["python3", os.path.join(programs, "http-load.py"), "--requests", str(opts.requests),
         "--concurrency", str(opts.concurrency), "--keepalive", "--client-cpu", "1",
         "--out", os.path.join(work, "server.txt")] + extra + ["--"] + command,
        capture_output=True, text=True)
    if result.returncode:
        sys.exit("bench/http.py: a run failed:\n" + result.stdout + result.stderr)
    rate = float(re.search(r"requests per second: ([0-9.]+)", result.stderr).group(1))
    p99 = float(re.search(r"p99 ms: ([0-9.]+)", result.stderr).group(1))
    return rate, p99


def main():
    build_both()
    prefix, conf = native_config()
    rows = {"native": [], "QEMU " + opts.accel: []}
    for _ in range(opts.runs):
        port = int(subprocess.run(["python3", "-c", "import socket; s=socket.socket(); "
                                   "s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"],
                                  capture_output=True, text=True).stdout)
        with open(os.path.join(prefix, "nginx.conf"), "w") as f:
            f.write(conf.replace("PORT", str(port)))
        rows["native"].append(load(["taskset", "-c", "0", os.path.join(source, "objs-native", "nginx"),
                                    "-p", prefix + "/", "-c", prefix + "/nginx.conf", "-e", "stderr"],
                                   port))
        rows["QEMU " + opts.accel].append(load(
            ["taskset", "-c", "0", os.path.join(build, "bin", "ukrun"), "--accel=" + opts.accel,
             "--timeout", "600", "-p", "PORT:80", os.path.join(source, "objs-image", "nginx")]))
    print(f"nginx 1.22, `ab -k -n {opts.requests} -c {opts.concurrency}` on 127.0.0.1, server "
          f"(nginx or ukrun with QEMU) on CPU 0, ab on CPU 1; median of {opts.runs} runs")
    print()
    print("| server | requests/s | p99 latency (ms) |")
    print("|---|---|---|")
    for name, runs in rows.items():
        print(f"| {name} | {statistics.median(r for r, _ in runs):,.0f} | "
              f"{statistics.median(p for _, p in runs):.0f} |")


if __name__ == "__main__":
    main()
