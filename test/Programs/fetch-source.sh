#!/bin/sh
# fetch-source.sh PACKAGE CACHE DEST: Debian's source of PACKAGE (apt-get source),
# downloaded once into CACHE, its upstream tarball unpacked into DEST.
set -eu
pkg=$1 cache=$2 dest=$3
mkdir -p "$cache/$pkg"
cd "$cache/$pkg"
if ! ls ./*.orig.tar.* > /dev/null 2>&1; then
  # apt warns that root downloads unsandboxed; only a failure matters.
  apt-get source --download-only -qq "$pkg" > download.log 2>&1 || {
    cat download.log >&2
    echo "fetch-source.sh: cannot download Debian's source of $pkg" >&2
    exit 1
  }
fi
# The upstream tarball: not a signature, not a secondary one (NAME.orig-www.tar.xz).
orig=$(ls ./*.orig.tar.* | grep -v -e '\.orig-' -e '\.asc$' | head -n 1)
rm -rf "$dest"
mkdir -p "$dest"
tar xf "$orig" -C "$dest" --strip-components=1
