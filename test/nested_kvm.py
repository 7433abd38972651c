#!/usr/bin/env python3
"""nested_kvm.py: runs a command where /dev/kvm works, on a machine where it does not.

Where the host's /dev/kvm cannot be opened (no VMX/SVM, or software KVM that is not
there), the built-in monitor could never be tested. QEMU's TCG emulates AMD's SVM, so a
Linux kernel booted on TCG with an SVM CPU loads kvm-amd and offers a real /dev/kvm: the
monitor then drives real KVM, all of it emulated. This boots Debian's own kernel that way,
with a busybox init that shares the host's whole file system over 9p, and runs the
command chrooted in it, in the same folder and environment; the exit status is the
command's. Timings inside mean nothing; behaviour and exit counts are real.

  nested_kvm.py [--skip-if-kvm] --cache DIR [--scratch DIR]... [--memory 4G] [--cpus 1] [--timeout S] -- COMMAND...

DIR keeps Debian's linux-image and busybox-static packages, fetched once with apt-get
download and unpacked; the initramfs is written from them for each run. Inside, /tmp and
each --scratch folder are empty file systems in the VM's memory, as on a machine of its
own: Linux's 9p client differs from a local file system (locks, shared mappings), and a
test comparing a program natively with a unikernel must not see that. Exit 125: the VM did not run the
command (its console log says why)."""
import argparse
import glob
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

# Loaded in this order (each after what it depends on): 9p for the host's files, KVM for
# the monitor, tun and veth for network tests that make their own devices.
MODULES = ["drivers/virtio/virtio_ring", "drivers/virtio/virtio",
           "drivers/virtio/virtio_pci_modern_dev", "drivers/virtio/virtio_pci_legacy_dev",
           "drivers/virtio/virtio_pci", "fs/netfs/netfs", "fs/fscache/fscache",
           "net/9p/9pnet", "net/9p/9pnet_virtio", "fs/9p/9p", "virt/lib/irqbypass",
           "arch/x86/kvm/kvm", "drivers/crypto/ccp/ccp", "arch/x86/kvm/kvm-amd",
           "drivers/net/tun", "drivers/net/veth"]

# The init: mounts, modules, the host's root, then the run script given on the kernel
# command line. Its output goes to a file beside the script, shown when the VM is done
# (through an emulated serial port, a long lit run once stalled).
INIT = r"""#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
mkdir -p /dev/pts /dev/shm && mount -t devpts devpts /dev/pts && mount -t tmpfs tmpfs /dev/shm
for m in /mod/*.ko; do insmod "$m" || echo "nested-kvm: insmod $m failed"; done
ip link set lo up
# A heartbeat on the console: when a run is stopped from outside, it tells a command
# that hung (the beats go on) from a VM that stopped dead (they end).
( while sleep 30; do echo "nested-kvm: alive, uptime $(cut -d' ' -f1 /proc/uptime) s, load $(cut -d' ' -f1-3 /proc/loadavg)"; done > /dev/console ) &
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=mmap host /host
mount --rbind /dev /host/dev && mount -t proc proc /host/proc && mount -t sysfs sys /host/sys
run=$(sed -n 's/.*nested.run=\([^ ]*\).*/\1/p' /proc/cmdline)
{ echo /tmp; cat /host"$run".scratch; } | while read -r dir; do
  mkdir -p "/host$dir" && mount -t tmpfs scratch "/host$dir"
done
chroot /host /bin/sh "$run" > /host"$run".out 2>&1 < /dev/null
echo $? > /host"$run".status
sync
poweroff -f
"""


def cpio_newc(entries):
    """An initramfs: entries are (name, mode, data) with data bytes, or for a character
    device (name, mode, (major, minor)). No privileges needed, unlike mknod."""
    out = bytearray()

    def add(ino, name, mode, data=b"", rdev=(0, 0)):
        name_bytes = name.encode() + b"\0"
        fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name_bytes), 0]
        out.extend(b"070701" + b"".join(b"%08x" % f for f in fields) + name_bytes)
        out.extend(b"\0" * (-len(out) % 4) + data + b"\0" * (-len(data) % 4))

    for ino, (name, mode, data) in enumerate(entries, 1):
        if isinstance(data, tuple):
            add(ino, name, mode, rdev=data)
        else:
            add(ino, name, mode, data)
    add(0, "TRAILER!!!", 0)
    return bytes(out)


def prepare(cache):
    """Debian's kernel and busybox unpacked in cache/root on first use; returns it."""
    root = os.path.join(cache, "root")
    if os.path.isdir(root):
        return root
    os.makedirs(cache, exist_ok=True)
    work = tempfile.mkdtemp(dir=cache)
    depends = subprocess.run(["apt-cache", "depends", "linux-image-amd64"], check=True,
                             capture_output=True, text=True).stdout
    image = next((line.split()[1] for line in depends.splitlines()
                  if line.strip().startswith("Depends: linux-image-")), None)
    if not image:
        sys.exit("nested-kvm: apt knows no linux-image-amd64 kernel package")
    subprocess.run(["apt-get", "download", "-q", "-o", "APT::Sandbox::User=root", image,
                    "busybox-static"], cwd=work, check=True, stdout=subprocess.DEVNULL)
    for deb in glob.glob(os.path.join(work, "*.deb")):
        subprocess.run(["dpkg-deb", "-x", deb, os.path.join(work, "root")], check=True)
    os.rename(os.path.join(work, "root"), root)
    shutil.rmtree(work)
    return root


def make_initrd(root, path):
    """The initramfs, written afresh for each run (a few MB) so that it always has
    this file's INIT and MODULES."""
    (modules_dir,) = glob.glob(os.path.join(root, "lib/modules/*/kernel"))
    entries = [(d, 0o40755, b"") for d in ("bin", "mod", "proc", "sys", "dev", "host")]
    entries.append(("dev/console", 0o20600, (5, 1)))
    with open(os.path.join(root, "bin/busybox"), "rb") as f:
        entries.append(("bin/busybox", 0o100755, f.read()))
    entries.append(("init", 0o100755, INIT.encode()))
    for i, module in enumerate(MODULES):
        with open(os.path.join(modules_dir, module + ".ko"), "rb") as f:
            # Numbered so that the init's glob loads them in dependency order.
            entries.append((f"mod/{i:02d}-{os.path.basename(module)}.ko", 0o100644, f.read()))
    with open(path, "wb") as f:
        f.write(cpio_newc(entries))


def kvm_usable():
    """Whether this machine's /dev/kvm opens (lit.cfg.py's 'kvm' feature too)."""
    try:
        os.close(os.open("/dev/kvm", os.O_RDWR))
        return True
    except OSError:
        return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", required=True)
    parser.add_argument("--scratch", action="append", default=[],
                        help="a folder that is empty and in memory inside (repeatable)")
    parser.add_argument("--skip-if-kvm", action="store_true",
                        help="exit 77 at once where the host's /dev/kvm opens")
    parser.add_argument("--memory", default="4G")
    # One CPU: with two, TCG's emulated SVM left both spinning with nothing on the console
    # (a crash sweep's many short KVM guests, or two guests at once, did it within
    # minutes), and one CPU ran the same tests faster (8 minutes, not 20 or a hang).
    parser.add_argument("--cpus", default="1")
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("command", nargs="+")
    args = parser.parse_args()
    if args.skip_if_kvm and kvm_usable():
        print("nested-kvm: skipped: /dev/kvm opens here, so the tests ran on it directly")
        sys.exit(77)
    cache = os.path.abspath(args.cache)
    root = prepare(cache)
    (kernel,) = glob.glob(os.path.join(root, "boot/vmlinuz-*"))

    # The run script: the caller's folder and environment, then the command.
    run_dir = tempfile.mkdtemp(prefix="run-", dir=cache)
    run = os.path.join(run_dir, "run.sh")
    env = "".join(f"export {k}={shlex.quote(v)}\n" for k, v in os.environ.items()
                  if k.isidentifier() and k not in ("PWD", "OLDPWD", "SHLVL", "_"))
    with open(run, "w") as f:
        f.write(env + f"cd {shlex.quote(os.getcwd())} || exit 125\n"
                f"exec {shlex.join(args.command)}\n")
    with open(run + ".scratch", "w") as f:
        f.write("".join(os.path.abspath(d) + "\n" for d in args.scratch))
    console = os.path.join(run_dir, "console.log")
    initrd = os.path.join(run_dir, "initrd")
    make_initrd(root, initrd)
    qemu = ["qemu-system-x86_64", "-machine", "q35", "-accel", "tcg",
            "-cpu", "EPYC,+svm,+npt", "-m", args.memory, "-smp", args.cpus,
            "-display", "none", "-no-reboot", "-nodefaults",
            "-kernel", kernel, "-initrd", initrd,
            "-append", f"console=ttyS0 panic=-1 nested.run={run}",
            "-serial", f"file:{console}",
            "-virtfs", "local,path=/,mount_tag=host,security_model=none,multidevs=remap"]
    try:
        subprocess.run(qemu, stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=args.timeout)
    except subprocess.TimeoutExpired:
        print(f"nested-kvm: the VM ran over {args.timeout:.0f} s", file=sys.stderr)
    try:
        with open(run + ".out", errors="replace") as f:
            sys.stdout.write(f.read())
        sys.stdout.flush()
    except OSError:
        pass
    try:
        with open(run + ".status") as f:
            status = int(f.read())
    except (OSError, ValueError):
        print("nested-kvm: the VM did not run the command; its console:", file=sys.stderr)
        with open(console, errors="replace") as f:
            sys.stderr.write(f.read()[-4000:])
        sys.exit(125)
    shutil.rmtree(run_dir)
    sys.exit(status)


if __name__ == "__main__":
    main()
