#!/usr/bin/env python3
"""patch-symbol.py: overwrites the bytes at a symbol's address in an ELF image, a test's
way to break a kernel on purpose. The address is mapped to the file through the loaded
segments (program headers); the symbol's value comes from llvm-nm.

usage: patch-symbol.py IMAGE SYMBOL HEXBYTES"""
import struct
import subprocess
import sys

image, symbol, patch = sys.argv[1], sys.argv[2], bytes.fromhex(sys.argv[3])
names = subprocess.run(["/usr/lib/llvm-19/bin/llvm-nm", image], check=True,
                       capture_output=True, text=True).stdout.split("\n")
address = next(int(line.split()[0], 16) for line in names
               if line.split()[-1:] == [symbol])
with open(image, "r+b") as f:
    header = f.read(64)
    assert header[:4] == b"\x7fELF" and header[4] == 2, "not a 64-bit ELF file"
    phoff, = struct.unpack_from("<Q", header, 32)
    phentsize, phnum = struct.unpack_from("<HH", header, 54)
    for i in range(phnum):
        f.seek(phoff + i * phentsize)
        kind, _, offset, vaddr, _, filesz = struct.unpack("<IIQQQQ", f.read(40))
        if kind == 1 and vaddr <= address and address + len(patch) <= vaddr + filesz:
            f.seek(offset + address - vaddr)
            f.write(patch)
            break
    else:
        sys.exit(f"patch-symbol: {symbol} ({address:#x}) is in no loaded segment")
print(f"patched {len(patch)} bytes at {symbol} ({address:#x})")
