#!/usr/bin/env python3
"""kvm_names.py TEST_ROOT: the tests that need /dev/kvm are exactly those named *-kvm.test,
because where the host's /dev/kvm does not open, ctest's lit-kvm-in-tcg picks them by
name to run them in a VM that has one: a misnamed test would silently never run."""
import glob
import os
import re
import sys

root = sys.argv[1]
wrong = []
for path in sorted(glob.glob(os.path.join(root, "*", "*.test"))):
    with open(path) as f:
        needs = any(re.match(r"\s*REQUIRES:.*\bkvm\b", line) for line in f)
    named = path.endswith("-kvm.test")
    if needs != named:
        wrong.append(f"{os.path.relpath(path, root)}: "
                     + ("needs kvm, but is not named *-kvm.test" if needs
                        else "is named *-kvm.test, but does not need kvm"))
print("\n".join(wrong) if wrong else "kvm tests named as such")
sys.exit(1 if wrong else 0)
