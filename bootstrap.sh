#!/bin/sh
# bootstrap.sh: sets up a Debian 12 machine for ukc++ (installing only what is
# missing, with sudo when not root), builds, then runs the main job or the tests.
#
#   ./bootstrap.sh hello   compile examples/hello into an image and boot it
#   ./bootstrap.sh test    run the whole test suite (ctest)
#   ./bootstrap.sh build   set up and build only
set -eu

cd "$(dirname "$0")"
job="${1:-hello}"

packages="clang-19 lld-19 llvm-19-dev libclang-19-dev llvm-19-tools libclang-rt-19-dev
  libcli11-dev libyaml-cpp-dev libgtest-dev libseccomp-dev pkg-config
  qemu-system-x86 cmake ninja-build python3 libc6-dev libstdc++-12-dev
  linux-perf hyperfine make xz-utils"

missing=""
for p in $packages; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
if [ -n "$missing" ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "bootstrap: installing:$missing"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
fi

cmake -S . -B build -G Ninja
cmake --build build

case "$job" in
  hello)
    cd examples/hello
    ../../build/bin/ukc++ -O2 hello.cpp -o ../../build/hello.img
    exec ../../build/bin/ukrun ../../build/hello.img -- from the README
    ;;
  test)
    exec ctest --test-dir build --output-on-failure -j2
    ;;
  build)
    ;;
  *)
    echo "usage: $0 [hello|test|build]" >&2
    exit 2
    ;;
esac
