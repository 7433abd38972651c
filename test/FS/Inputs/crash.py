#!/usr/bin/env python3
"""crash.py: crash tests of volumes (crash-safety.test).

Runs a workload in a unikernel over a fresh host folder (a volume), stops it abruptly,
and checks that everything the workload acknowledged is still there:

  kill   SIGKILL to ukrun at random moments (the hypervisor dies with it);
  sweep  the guest's own stop just before its N-th change to the host's files
         (ukrun --crash-before-host-op N), for every N until a run completes.

With --replay-synced, only what was synced survives, as after a power loss: each file
is cut to the size it had at its last fsync (ukrun --sync-log), which is exact for an
append-only file. A workload that acknowledges before syncing must then fail.

Workloads: "append" (test/FS/Inputs/append.c: records made durable with fdatasync, then
"ack N"), and "sqlite" (the sqlite3 shell: transactions, each followed by "ack N").
The program's standard output is a terminal (a pty), so that stdio writes each line
when it is printed, not when the program exits.
"""
import argparse
import os
import pty
import random
import re
import select
import shutil
import signal
import subprocess
import sys
import time

ROWS = 40  # in the first transaction: a few pages, so that a sweep stays short
SQLITE_SCRIPT = """\
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
INSERT INTO t(txn, v) SELECT 1, hex(randomblob(100)) FROM n;
COMMIT;
SELECT 'ack 1';
UPDATE t SET v = 'second' WHERE id %% 3 = 0;
INSERT INTO t(txn, v) VALUES (2, 'marker');
SELECT 'ack 2';
BEGIN;
DELETE FROM t WHERE txn = 1 AND id %% 2 = 0;
INSERT INTO t(txn, v) VALUES (3, 'after delete');
COMMIT;
SELECT 'ack 3';
""" % ROWS

# For kills at random moments: many short transactions, long enough to be cut.
SQLITE_LONG_SCRIPT = "".join(
    "INSERT INTO t(txn, v) VALUES (%d, hex(randomblob(50)));\nSELECT 'ack %d';\n" % (k, k)
    for k in range(1, 1001))


def run(args, folder, crash_before=None, kill_after=None):
    """Runs the workload once on volume Folder: (exit status, acks, standard error)."""
    cmd = [args.ukrun, "--timeout", "120", "--volume", folder + ":/data"]
    cmd += ["--hypervisor=kvm"] if args.hypervisor == "kvm" else ["--hypervisor=qemu",
                                                                  "--accel=tcg"]
    if crash_before:
        cmd += ["--crash-before-host-op", str(crash_before)]
    if args.replay_synced:
        cmd += ["--sync-log"]
    if args.workload == "append":
        cmd += [args.image, "--", "/data/log", str(args.records)]
        cmd += ["--no-sync"] if args.no_sync else []
        stdin = subprocess.DEVNULL
    else:
        cmd += [args.image, "--", "/data/db"]
        script = os.path.join(args.scratch, "script.sql")  # a file: no pipe to fill
        with open(script, "w") as f:
            f.write(SQLITE_LONG_SCRIPT if args.mode == "kill" else SQLITE_SCRIPT)
        stdin = open(script)
    master, slave = pty.openpty()
    p = subprocess.Popen(cmd, stdin=stdin, stdout=slave, stderr=subprocess.PIPE)
    os.close(slave)
    if stdin != subprocess.DEVNULL:
        stdin.close()
    out, start = b"", time.monotonic()
    while True:
        if kill_after is not None and time.monotonic() - start >= kill_after:
            p.send_signal(signal.SIGKILL)
            kill_after = None
        ready, _, _ = select.select([master], [], [], 0.01)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                chunk = b""
            if not chunk:
                break
            out += chunk
        elif p.poll() is not None:
            break
    os.close(master)
    status = p.wait()
    err = p.stderr.read().decode(errors="replace")
    acks = [int(m) for m in re.findall(rb"^ack (\d+)\r?$", out, re.M)]
    return status, acks, err


def synced_sizes(err):
    """The last synced size of each inode, from the guest's --sync-log lines."""
    sizes = {}
    for inode, size in re.findall(r"ukc\+\+: synced inode (\d+) size (\d+)", err):
        sizes[int(inode)] = int(size)
    return sizes


def replay(folder, err):
    """Cuts each file to what its last fsync made durable (a power loss's view)."""
    sizes = synced_sizes(err)
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        inode = os.stat(path).st_ino
        with open(path, "r+b") as f:
            f.truncate(sizes.get(inode, 0))


def check_append(folder, acks):
    """What is lost of the acknowledged records; the file holds records in order."""
    path = os.path.join(folder, "log")
    data = open(path, "rb").read() if os.path.exists(path) else b""
    lines = data.split(b"\n")[:-1]  # a torn last record is not one
    for i, line in enumerate(lines):
        if line != b"record %06d" % (i + 1):
            return "record %d is '%s'" % (i + 1, line.decode(errors="replace"))
    lost = [a for a in acks if a > len(lines)]
    return "acknowledged records %s are gone" % lost if lost else None


def check_sqlite(args, folder, acks):
    """The database is intact, each transaction all or nothing, acknowledged ones kept."""
    db = os.path.join(folder, "db")
    if args.mode == "kill":  # transactions 1..K, K at least the last acknowledged
        r = subprocess.run([args.image, db, "PRAGMA integrity_check; SELECT txn FROM t;"],
                           capture_output=True, text=True)
        lines = r.stdout.split()
        if r.returncode or not lines or lines[0] != "ok":
            return "the database is damaged: %s %s" % (r.stdout.strip(), r.stderr.strip())
        kept = [int(x) for x in lines[1:]]
        if kept != list(range(1, len(kept) + 1)):
            return "transactions kept are not a prefix: %s" % kept[:20]
        if acks and max(acks) > len(kept):
            return "acknowledged transaction %d is gone (%d kept)" % (max(acks), len(kept))
        return None
    query = ("PRAGMA integrity_check; SELECT count(*) FROM t WHERE txn = 1;"
             "SELECT count(*) FROM t WHERE txn = 2; SELECT count(*) FROM t WHERE txn = 3;")
    r = subprocess.run([args.image, db, query], capture_output=True, text=True)
    lines = r.stdout.split()
    if r.returncode or len(lines) != 4 or lines[0] != "ok":
        return "the database is damaged: %s %s" % (r.stdout.strip(), r.stderr.strip())
    ones, twos, threes = (int(x) for x in lines[1:])
    state = {(0, 0, 0): 0, (ROWS, 0, 0): 1, (ROWS, 1, 0): 2, (ROWS // 2, 1, 1): 3}.get(
        (ones, twos, threes))
    if state is None:
        return "a transaction is half there: rows %d, %d, %d" % (ones, twos, threes)
    if acks and max(acks) > state:
        return "acknowledged transaction %d is gone (state %d)" % (max(acks), state)
    return None


def fresh(args, name):
    folder = os.path.join(args.scratch, name)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    if args.workload == "sqlite":  # the table exists before the crashes start
        subprocess.run([args.image, os.path.join(folder, "db"),
                        "CREATE TABLE t(id INTEGER PRIMARY KEY, txn INTEGER, v TEXT);"],
                       check=True, capture_output=True)
    return folder


def check(args, folder, acks, err):
    if args.replay_synced:
        replay(folder, err)
    return check_append(folder, acks) if args.workload == "append" else check_sqlite(
        args, folder, acks)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["kill", "sweep"])
    ap.add_argument("workload", choices=["append", "sqlite"])
    ap.add_argument("--ukrun", required=True)
    ap.add_argument("--hypervisor", choices=["qemu", "kvm"], default="qemu",
                    help="QEMU with TCG, or the built-in monitor")
    ap.add_argument("--image", required=True)
    ap.add_argument("--scratch", required=True)
    ap.add_argument("--records", type=int, default=10)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--no-sync", action="store_true")
    ap.add_argument("--replay-synced", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--kill-from", type=float, default=0.3, help="seconds after the start")
    ap.add_argument("--kill-to", type=float, default=1.5)
    args = ap.parse_args()
    random.seed(args.seed)
    failures, points, acked = [], 0, 0
    if args.mode == "kill":
        midway = 0
        for run_index in range(args.runs):
            folder = fresh(args, "kill-%d" % run_index)
            delay = random.uniform(args.kill_from, args.kill_to)
            status, acks, err = run(args, folder, kill_after=delay)
            acked += len(acks)
            midway += status == -signal.SIGKILL and len(acks) > 0
            problem = check(args, folder, acks, err)
            if problem:
                failures.append("kill after %.2f s: %s" % (delay, problem))
        points = args.runs
        if not midway:  # else the test would prove nothing
            failures.append("no run was killed between its first acknowledgement and its end")
    else:
        for n in range(1, 1000):
            folder = fresh(args, "sweep")
            status, acks, err = run(args, folder, crash_before=n)
            acked += len(acks)
            problem = check(args, folder, acks, err)
            if problem:
                failures.append("crash before host operation %d: %s" % (n, problem))
            points = n
            if status == 0:
                break  # the workload completed: every crash point was tried
            if status != 137:
                failures.append("crash point %d: ukrun's status %d\n%s" % (n, status, err))
                break
    print("%s %s: %d runs, %d acknowledgements seen" % (args.mode, args.workload, points,
                                                       acked))
    for f in failures:
        print("LOST: " + f)
    if not failures:
        print("every acknowledged %s survived" %
              ("record" if args.workload == "append" else "transaction"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
