# lit.cfg.py: a suite with one test that needs a feature the set-up provides but that
# is missing here ("gadget"), to see how the harness reports it.
import os
import sys

import lit.formats

config.name = "harness-probe"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = lit_config.params["out"]
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", ".."))
import setup_features  # noqa: E402

setup_features.provide(config, lit_config, "gadget", False)
