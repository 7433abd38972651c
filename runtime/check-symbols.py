#!/usr/bin/env python3
"""check-symbols.py: every symbol a runtime component needs is defined by a component.

A reference left undefined would bind, in the image link, to a symbol of the program
(its libc), and the kernel would call user code in ring 0. Weak references are allowed:
they name optional parts (a syscall handler of a component that is not selected).
No component may need a static constructor. Symbols the image linker scripts define, and __ehdr_start (the linker's), count as
defined. Defined global symbols must be the kernel's own (namespace uk, prefix
uk_/__uk_) so that they cannot collide with a program's.

usage: check-symbols.py LLVM_NM SCRIPT.ld... -- OBJECT..."""
import re
import subprocess
import sys

nm = sys.argv[1]
split = sys.argv.index("--")
scripts, objects = sys.argv[2:split], sys.argv[split + 1:]
defined, undefined, bad = {"__ehdr_start"}, {}, []
for script in scripts:
    with open(script) as f:
        defined.update(re.findall(r"\b([A-Za-z_][A-Za-z0-9_]*)\s*=\s*[^=]", f.read()))
for obj in objects:
    # A static constructor in kernel code would be run by the program's start-up
    # (.init_array), in ring 3, on kernel data: kernel globals must be constant.
    every = subprocess.run([nm, obj], check=True, capture_output=True, text=True).stdout
    for line in every.splitlines():
        if "_GLOBAL__sub_I_" in line:
            bad.append(f"{obj}: '{line.split()[-1]}': a global needs a constructor")
    out = subprocess.run([nm, "--extern-only", obj], check=True, capture_output=True,
                         text=True).stdout
    for line in out.splitlines():
        parts = line.split()
        kind, name = parts[-2], parts[-1]
        if kind == "U":
            undefined.setdefault(name, obj)
        elif kind not in ("w", "v"):
            defined.add(name)
            if not (name.startswith(("uk_", "__uk_", "_ZN2uk", "_ZNK2uk", "_ZZN2uk",
                                     "_ZTVN2uk", "_ZTIN2uk", "_ZTSN2uk", "_ZGVN2uk"))):
                bad.append(f"{obj}: global symbol '{name}' is not in namespace uk")
for name, obj in sorted(undefined.items()):
    if name not in defined:
        bad.append(f"{obj}: '{name}' is used but no runtime component defines it")
for message in bad:
    print(f"check-symbols: error: {message}", file=sys.stderr)
sys.exit(1 if bad else 0)
