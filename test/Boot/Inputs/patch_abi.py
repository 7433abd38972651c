#!/usr/bin/env python3
"""patch_abi.py IN OUT: copies an image, setting the ABI version in its monitor note
(note "ukc++", type 3) to 99, as an image from a future ukc++ would have."""
import struct
import sys

data = bytearray(open(sys.argv[1], "rb").read())
needle = struct.pack("<III", 6, 96, 3) + b"ukc++\0\0\0"
at = data.find(needle)
if at < 0:
    sys.exit("no monitor note")
struct.pack_into("<I", data, at + len(needle), 99)
open(sys.argv[2], "wb").write(bytes(data))
