#!/usr/bin/env python3
"""http.py: an unmodified event-loop server, nginx from Debian's source, built once
natively (cc) and once as an image (ukcc, as test/Programs/nginx.test builds it), each
loaded in the same run by ApacheBench over 127.0.0.1 with keep-alive: requests per
second and the 99th percentile latency, side by side. The server and ab are pinned to
different CPUs. Prints a markdown table.

With --hypervisor kvm the image runs on the built-in monitor. Where /dev/kvm does not
open, the builds are done here and the loads run inside test/nested_kvm.py's VM, native
nginx included (one CPU there, so nothing is pinned): KVM on QEMU TCG, where every
instruction of both is emulated, so the rates there are not what a KVM host would see
(bench/net_exits.py counts what a request costs the monitor).

usage: bench/http.py BUILD [--hypervisor qemu|kvm] [--accel tcg] [--requests 20000]
                     [--concurrency 8] [--runs 3]"""
import argparse
import os
import re
import statistics
import subprocess
import sys

sys.dont_write_bytecode = True
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
programs = os.path.join(root, "test", "Programs")
sys.path.insert(0, os.path.join(root, "test"))
from nested_kvm import kvm_usable  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("build")
parser.add_argument("--hypervisor", choices=["qemu", "kvm"], default="qemu")
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


PINNED = os.cpu_count() > 1


def pinned(cpu, command):
    return ["taskset", "-c", str(cpu)] + command if PINNED else command


def load(command, port=None):
    """Requests per second and p99 (ms) of one ab run against Command."""
    extra = ["--port", str(port)] if port else []
    extra += ["--client-cpu", "1"] if PINNED else []
    result = subprocess.run(
        ["python3", os.path.join(programs, "http-load.py"), "--requests", str(opts.requests),
         "--concurrency", str(opts.concurrency), "--keepalive",
         "--out", os.path.join(work, "server.txt")] + extra + ["--"] + command,
        capture_output=True, text=True)
    if result.returncode:
        sys.exit("bench/http.py: a run failed:\n" + result.stdout + result.stderr)
    rate = float(re.search(r"requests per second: ([0-9.]+)", result.stderr).group(1))
    p99 = float(re.search(r"p99 ms: ([0-9.]+)", result.stderr).group(1))
    return rate, p99


def main():
    build_both()
    if opts.hypervisor == "kvm" and not kvm_usable():
        sys.exit(subprocess.run([sys.executable, os.path.join(root, "test", "nested_kvm.py"),
                                 "--cache", os.path.join(build, "nested-kvm"), "--"] +
                                [sys.executable, os.path.abspath(__file__)] + sys.argv[1:]
                                ).returncode)
    prefix, conf = native_config()
    image = "monitor (kvm)" if opts.hypervisor == "kvm" else "QEMU " + opts.accel
    ukrun = ["--hypervisor=kvm"] if opts.hypervisor == "kvm" else ["--accel=" + opts.accel]
    rows = {"native": [], image: []}
    for _ in range(opts.runs):
        port = int(subprocess.run(["python3", "-c", "import socket; s=socket.socket(); "
                                   "s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"],
                                  capture_output=True, text=True).stdout)
        with open(os.path.join(prefix, "nginx.conf"), "w") as f:
            f.write(conf.replace("PORT", str(port)))
        rows["native"].append(load(pinned(0, [
            os.path.join(source, "objs-native", "nginx"), "-p", prefix + "/", "-c",
            prefix + "/nginx.conf", "-e", "stderr"]), port))
        rows[image].append(load(pinned(0, [
            os.path.join(build, "bin", "ukrun")] + ukrun + [
            "--timeout", "600", "-p", "PORT:80", os.path.join(source, "objs-image", "nginx")])))
    where = ("server (nginx or ukrun) on CPU 0, ab on CPU 1" if PINNED
             else "one CPU, in test/nested_kvm.py's VM on QEMU TCG")
    print(f"nginx 1.22, `ab -k -n {opts.requests} -c {opts.concurrency}` on 127.0.0.1, {where}; "
          f"median of {opts.runs} runs")
    print()
    print("| server | requests/s | p99 latency (ms) |")
    print("|---|---:|---:|")
    for name, runs in rows.items():
        print(f"| {name} | {statistics.median(r for r, _ in runs):,.0f} | "
              f"{statistics.median(p for _, p in runs):.0f} |")


if __name__ == "__main__":
    main()
