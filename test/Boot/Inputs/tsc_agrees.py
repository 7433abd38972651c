#!/usr/bin/env python3
"""tsc_agrees.py A B: the "tsc kHz: N" lines of two runs of clocks.c agree within 10%.

Two calibrations (say against the PIT and against the local APIC timer) of one host's
TSC: a wrong reference clock is off by a factor, not by a few percent."""
import re
import sys

def khz(path):
    match = re.search(r"^tsc kHz: (\d+)$", open(path).read(), re.M)
    if not match:
        sys.exit(f"tsc_agrees: no 'tsc kHz' line in {path}")
    return int(match.group(1))

a, b = khz(sys.argv[1]), khz(sys.argv[2])
if not 0.9 < a / b < 1.1:
    sys.exit(f"tsc_agrees: {sys.argv[1]} says {a} kHz, {sys.argv[2]} says {b} kHz")
