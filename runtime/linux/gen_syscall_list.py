#!/usr/bin/env python3
"""gen_syscall_list.py UNISTD_H OUT: the x86-64 system call numbers of the Linux UAPI
header as an X-macro list, X(nr, name) in number order and HOLE(nr) for unused numbers."""
import re
import sys

numbers = {}
with open(sys.argv[1]) as header:
    for line in header:
        m = re.match(r"#define __NR_(\w+)\s+(\d+)", line)
        if m:
            numbers[int(m.group(2))] = m.group(1)
with open(sys.argv[2], "w") as out:
    out.write("// Generated from %s by gen_syscall_list.py.\n" % sys.argv[1])
    for nr in range(max(numbers) + 1):
        out.write(f"X({nr}, {numbers[nr]})\n" if nr in numbers else f"HOLE({nr})\n")
