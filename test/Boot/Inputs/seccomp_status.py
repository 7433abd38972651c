#!/usr/bin/env python3
"""seccomp_status.py CMD...: starts CMD, waits until it runs a guest, and prints the
Seccomp line of its /proc status (2 = filter mode), then stops it."""
import subprocess
import sys
import time

proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
time.sleep(1.0)
with open(f"/proc/{proc.pid}/status") as status:
    print(next(line.strip() for line in status if line.startswith("Seccomp:")).replace("\t", " "))
proc.kill()
proc.wait()
