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
  libcli11-dev libyaml-cpp-dev libgtest-dev libseccomp-dev libslirp-dev libglib2.0-dev pkg-config
  qemu-system-x86 cmake ninja-build python3 libc6-dev libstdc++-12-dev
  linux-perf hyperfine make xz-utils netbase iproute2 apache2-utils python3-psutil"

missing=""
for p in $packages; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if [ -n "$missing" ]; then
  echo "bootstrap: installing:$missing"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
fi

# The tests build real programs, and the runtime builds lwIP, from Debian's source
# packages: without deb-src entries (a fresh machine has none) apt cannot fetch them.
# Add them for the Debian archives apt already uses, in a file of our own. Not for
# debian-security: its source pool is missing from some mirrors (404 here), and a
# newer version listed there would hide the release's, which every mirror has.
src_list=/etc/apt/sources.list.d/ukcxx-debian-src.sources
if ! grep -rqsE '^[[:space:]]*(deb-src[[:space:]]|Types:.*deb-src)' /etc/apt/sources.list \
    /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; then
  echo "bootstrap: adding Debian source entries ($src_list)"
  apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' 'Identifier: Packages' |
    sort -u | awk '
      $1 ~ /\/debian\/$/ {
        if (!($1 in suites)) order[n++] = $1
        if (index(" " suites[$1] " ", " " $2 " ") == 0) suites[$1] = suites[$1] " " $2
        if (index(" " comps[$1] " ", " " $3 " ") == 0) comps[$1] = comps[$1] " " $3
      }
      END {
        if (!n) { print "bootstrap: apt has no Debian archive to take sources from" > "/dev/stderr"; exit 1 }
        for (i = 0; i < n; i++) {
          u = order[i]
          printf "%sTypes: deb-src\nURIs: %s\nSuites:%s\nComponents:%s\n", (i ? "\n" : ""), u, suites[u], comps[u]
          print "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
        }
      }' > /tmp/ukcxx-debian-src.$$
  $sudo install -m 644 /tmp/ukcxx-debian-src.$$ "$src_list"
  rm -f /tmp/ukcxx-debian-src.$$
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
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
    status=0
    ctest --test-dir build --output-on-failure -j2 --output-log build/ctest.log || status=$?
    # ctest shows only the failing tests' output: name the tests that did not run
    # (lit's reason: a REQUIRES this machine lacks, such as /dev/kvm), then repeat
    # ctest's verdict as the last line.
    awk '/^Unsupported Tests/ { show = 1; print "not run on this machine:"; next }
         show && /^  / { print; next } { show = 0 }' build/Testing/Temporary/LastTest.log
    grep -E '^[0-9]+% tests passed' build/ctest.log | tail -n 1
    exit $status
    ;;
  build)
    ;;
  *)
    echo "usage: $0 [hello|test|build]" >&2
    exit 2
    ;;
esac
