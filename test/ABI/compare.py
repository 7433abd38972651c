#!/usr/bin/env python3
"""compare.py: builds a program natively (clang -static) and as a ukc++ image, runs
both with the same arguments and environment, and fails unless standard output and exit
status are identical. With --image, a program built elsewhere (by its own build system)
is compared with itself run as a Linux process, which every ukc++ image can be.

usage: compare.py --build BUILD [--accel tcg,kvm,monitor] [--env K=V]... [--flags "-O2 ..."]
                  [--stdin FILE] (SOURCE | --image IMAGE) [-- ARGS...]"""
import argparse
import difflib
import os
import subprocess
import sys
import tempfile

parser = argparse.ArgumentParser()
parser.add_argument("--build", required=True)
parser.add_argument("--accel", default="tcg")
parser.add_argument("--env", action="append", default=[])
parser.add_argument("--flags", default="-O2")
parser.add_argument("--features", default="", help="manifest features, comma-separated")
parser.add_argument("--memory", default="256Mi")
parser.add_argument("--stdin", default=None, help="a file both runs read as standard input")
parser.add_argument("--timeout", type=float, default=60)
parser.add_argument("--image", help="a ukc++ image already built")
parser.add_argument("source", nargs="?")
parser.add_argument("args", nargs="*")
opts = parser.parse_args()
if opts.image:  # then every positional argument is the program's
    opts.args[:0] = [opts.source] if opts.source else []
    opts.source = opts.image
if not opts.source:
    parser.error("give a SOURCE or an --image")
opts.source = os.path.abspath(opts.source)
opts.build = os.path.abspath(opts.build)

cxx = opts.source.endswith((".cpp", ".cc"))
clang = "/usr/lib/llvm-19/bin/" + ("clang++" if cxx else "clang")
ukcxx = os.path.join(opts.build, "bin", "ukc++" if cxx else "ukcc")
ukrun = os.path.join(opts.build, "bin", "ukrun")
flags = opts.flags.split()
env = dict(kv.split("=", 1) for kv in opts.env)


def run(cmd, **kw):
    if opts.stdin:
        with open(opts.stdin, "rb") as stdin:
            return subprocess.run(cmd, capture_output=True, timeout=opts.timeout, stdin=stdin,
                                  **kw)
    return subprocess.run(cmd, capture_output=True, timeout=opts.timeout, **kw)


def show(what, result):
    sys.stderr.write(f"{what}: status {result.returncode}\n")
    sys.stderr.write(result.stderr.decode(errors="replace"))


with tempfile.TemporaryDirectory() as tmp:
    native, image = os.path.join(tmp, "native"), os.path.join(tmp, "app.img")
    if opts.image:
        native = image = opts.source
    with open(os.path.join(tmp, "unikernel.yaml"), "w") as m:
        m.write(f"name: app\nmemory: {opts.memory}\n")
        if opts.features:
            m.write("features:\n" + "".join(f"  {f}: {{}}\n"
                                             for f in opts.features.split(",")))
        if env:
            m.write("env:\n" + "".join(f"  {k}: \"{v}\"\n" for k, v in env.items()))
    for cmd in ([] if opts.image else
                ([clang, "-static", *flags, opts.source, "-o", native],
                 [ukcxx, *flags, opts.source, "-o", image])):
        built = run(cmd, cwd=tmp)
        if built.returncode:
            show(" ".join(cmd), built)
            sys.exit(1)

    expected = run([native, *opts.args], env=env, cwd=tmp)
    failed = False
    for accel in opts.accel.split(","):
        # "monitor" is ukrun's built-in KVM monitor; tcg and kvm are QEMU's.
        how = ["--hypervisor=kvm"] if accel == "monitor" else ["--hypervisor=qemu",
                                                                f"--accel={accel}"]
        got = run([ukrun, *how, f"--timeout={opts.timeout}", f"--memory={opts.memory}", image,
                   "--", *opts.args], cwd=tmp)
        if got.stdout != expected.stdout or got.returncode != expected.returncode:
            failed = True
            sys.stderr.write(f"== {os.path.basename(opts.source)} differs on {accel}\n")
            show("native", expected)
            show(f"ukrun --accel={accel}", got)
            diff = difflib.unified_diff(
                expected.stdout.decode(errors="replace").splitlines(True),
                got.stdout.decode(errors="replace").splitlines(True), "native", accel)
            sys.stderr.writelines(diff)
        else:
            print(f"{os.path.basename(opts.source)}: identical on {accel} "
                  f"({len(got.stdout)} bytes, status {got.returncode})")
    sys.exit(1 if failed else 0)
