#!/bin/sh
# fetch-lwip.sh DEST: lwIP 2.1.3 from Debian's `lwip` source package (apt-get source),
# its upstream tarball unpacked into DEST/lwip. The sources are never part of the repo;
# the download is kept in DEST/download, so that later configures do not fetch again.
set -eu
dest=$1
want=2.1.3
if [ -f "$dest/lwip/.unpacked-$want" ]; then
  exit 0
fi
mkdir -p "$dest/download"
cd "$dest/download"
if ! ls ./lwip_*.orig.tar.* > /dev/null 2>&1; then
  # apt warns that root downloads unsandboxed; only a failure matters.
  apt-get source --download-only -qq lwip > download.log 2>&1 || {
    cat download.log >&2
    echo "fetch-lwip.sh: cannot download Debian's source package 'lwip' (the network" \
      "stack); apt needs deb-src entries: run ./bootstrap.sh, or add a deb-src line" \
      "for bookworm to /etc/apt/sources.list and run apt-get update" >&2
    exit 1
  }
fi
orig=$(ls ./lwip_*.orig.tar.* | grep -v -e '\.orig-' -e '\.asc$' | head -n 1)
case $orig in
*"_$want"*) ;;
*)
  echo "fetch-lwip.sh: Debian's lwip source is $orig, but the runtime is written for" \
    "lwIP $want" >&2
  exit 1
  ;;
esac
rm -rf "$dest/lwip"
mkdir -p "$dest/lwip"
tar xf "$orig" -C "$dest/lwip" --strip-components=1
touch "$dest/lwip/.unpacked-$want"
