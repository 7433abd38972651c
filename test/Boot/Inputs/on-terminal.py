#!/usr/bin/env python3
"""on-terminal.py: runs a command with its standard output on a terminal (a pty opened
for reading and writing, as a shell's is) and prints what it wrote there, then its
exit status (terminal.test)."""
import os
import pty
import subprocess
import sys

master, slave = pty.openpty()
status = subprocess.run(sys.argv[1:], stdout=slave, timeout=120).returncode
os.close(slave)
out = b""
while True:
    try:
        chunk = os.read(master, 4096)
    except OSError:  # the terminal's other end is closed: all was read
        break
    if not chunk:
        break
    out += chunk
sys.stdout.write(out.decode(errors="replace").replace("\r\n", "\n"))
print("status %d" % status)
