# lit.cfg.py: configuration shared by every lit suite (Driver, LinkerScripts, Boot, ABI).
# Run through ctest, which passes --param build=<cmake build dir>.
import os
import subprocess

import lit.formats

import sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(__file__))
import setup_features  # noqa: E402
from nested_kvm import kvm_usable  # noqa: E402

config.name = "ukc++"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".test", ".c", ".cpp"]
config.excludes = ["Inputs", "lit.cfg.py"]
config.test_source_root = os.path.dirname(__file__)

build = lit_config.params.get("build")
if not build:
    lit_config.fatal("run through ctest, or pass --param build=<cmake build dir>")
build = os.path.abspath(build)
config.test_exec_root = os.path.join(build, "test")

llvm_bin = "/usr/lib/llvm-19/bin"
config.environment["PATH"] = os.pathsep.join(
    [os.path.join(build, "bin"), llvm_bin, config.environment.get("PATH", os.environ["PATH"])])
config.environment["HOME"] = os.environ.get("HOME", "/tmp")
for var in ("TMPDIR", "LIBRARY_PATH"):
    if var in os.environ:
        config.environment[var] = os.environ[var]

bin_dir = os.path.join(build, "bin")
config.substitutions.append(("%ukcxx", os.path.join(bin_dir, "ukc++")))
config.substitutions.append(("%ukcc", os.path.join(bin_dir, "ukcc")))
config.substitutions.append(("%ukrun", os.path.join(bin_dir, "ukrun")))
config.substitutions.append(("%clangxx", os.path.join(llvm_bin, "clang++")))
config.substitutions.append(("%clang", os.path.join(llvm_bin, "clang")))
config.substitutions.append(("%runtime", os.path.join(build, "lib", "ukc++")))
config.substitutions.append(("%build", build))
config.substitutions.append(("%python", "python3"))
config.substitutions.append(("%lit", "python3 /usr/lib/llvm-19/build/utils/lit/lit.py"))
config.substitutions.append(("%expect-status", "python3 " + os.path.join(
    config.test_source_root, "expect_status.py")))
if kvm_usable():
    config.available_features.add("kvm")

# The native-versus-unikernel comparison: on QEMU TCG always; on QEMU KVM and the
# built-in monitor where /dev/kvm works.
accels = "tcg,kvm,monitor" if kvm_usable() else "tcg"
config.substitutions.append(("%compare", "python3 " + os.path.join(
    config.test_source_root, "ABI", "compare.py") + " --build " + build +
    " --accel " + accels))
setup_features.provide(config, lit_config, "qemu", subprocess.run(
    ["sh", "-c", "command -v qemu-system-x86_64"], capture_output=True).returncode == 0)

# Network tests of their own network namespace (tap devices, a DNS responder on its
# 127.0.0.1:53): as root, or as a user with user namespaces (unshare -r). CI runs as
# root, so there they always run.
netns = "unshare -nm" if os.geteuid() == 0 else "unshare -rnm"
config.substitutions.append(("%netns", netns))
setup_features.provide(config, lit_config, "netns", subprocess.run(
    netns.split() + ["ip", "link", "set", "lo", "up"], capture_output=True).returncode == 0,
    "root, or user namespaces (unshare -r), and iproute2 provide it")

# test/Programs builds programs not written for this project from Debian's sources,
# which needs deb-src entries in apt's sources (checked without downloading anything).
sources = ["lua5.4", "sqlite3", "yaml-cpp", "libzstd", "xz-utils", "cjson", "nginx", "tinyxml2"]
setup_features.provide(config, lit_config, "debian-source", subprocess.run(
    ["apt-get", "source", "--print-uris", "-qq", *sources], capture_output=True).returncode == 0)
# The HTTP servers' load: ApacheBench (apache2-utils).
setup_features.provide(config, lit_config, "apache-bench", subprocess.run(
    ["sh", "-c", "command -v ab"], capture_output=True).returncode == 0)
