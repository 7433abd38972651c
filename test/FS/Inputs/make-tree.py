#!/usr/bin/env python3
"""make-tree.py DIR: a small tree with what a packed image tree must carry: nested
folders, an empty file, a multi-MiB file, UTF-8 names, symlinks to a file, to a folder
and dangling, and a file that is not readable by others."""
import os
import sys

root = sys.argv[1]
os.makedirs(os.path.join(root, "etc", "nested", "deeper"))
os.makedirs(os.path.join(root, "données", "日本"))
with open(os.path.join(root, "etc", "app.conf"), "w") as f:
    f.write("name=demo\nport=8080\n")
with open(os.path.join(root, "etc", "nested", "deeper", "leaf.txt"), "w") as f:
    f.write("a leaf\n")
open(os.path.join(root, "empty"), "w").close()
with open(os.path.join(root, "données", "日本", "ファイル.txt"), "w") as f:
    f.write("unicode names\n")
with open(os.path.join(root, "big.bin"), "wb") as f:  # 3 MiB and a bit, deterministic
    state = 12345
    chunk = bytearray()
    for _ in range(3 * 1024 * 1024 + 777):
        state = (state * 1103515245 + 12345) & 0x7FFFFFFF
        chunk.append(state >> 16 & 0xFF)
    f.write(chunk)
os.chmod(os.path.join(root, "etc", "app.conf"), 0o640)
os.symlink("etc/app.conf", os.path.join(root, "config"))
os.symlink("../etc", os.path.join(root, "données", "etc-link"))
os.symlink("nowhere", os.path.join(root, "dangling"))
