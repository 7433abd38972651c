#!/usr/bin/env python3
"""expect_status.py N CMD...: runs CMD (its output passes through) and fails unless it
exits with status N. lit's `not` only tells zero from non-zero."""
import subprocess
import sys

want = int(sys.argv[1])
got = subprocess.run(sys.argv[2:]).returncode
if got != want:
    print(f"expect_status: {sys.argv[2]} exited with {got}, expected {want}", file=sys.stderr)
    sys.exit(1)
