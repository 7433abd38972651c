#!/bin/sh
# sqlite.sh: SQLite inserts per second on a volume (a host folder through virtio-9p),
# on /tmp in the image, and natively on the same host folder, side by side: one
# transaction of many rows, and a commit (with its fsyncs) per row. SQLite is Debian's
# source, built once with CC=ukcc (the image is also the native program).
#   bench/sqlite.sh [BUILD_DIR]
set -eu
cd "$(dirname "$0")/.."
build="$(realpath "${1:-build}")"
out="$build/bench/sqlite"
ukcc="$build/bin/ukcc" ukrun="$build/bin/ukrun"
mkdir -p "$out"
if [ ! -f "$out/src/Makefile" ]; then
  sh test/Programs/fetch-source.sh sqlite3 "$build/test/sources" "$out/src"
  (cd "$out/src" && ./configure CC="$ukcc" --disable-tcl --disable-readline \
    --disable-shared > ../configure.log 2>&1)
fi
# Linked again each time: the image carries the runtime of the build it was linked with.
rm -f "$out/src/sqlite3"
make -C "$out/src" -j2 sqlite3 > "$out/build.log" 2>&1
rows=${ROWS:-20000} commits=${COMMITS:-200}
# The clock around each part, in SQL: seconds since the epoch with fractions.
now="SELECT printf('%.6f', (julianday('now') - 2440587.5) * 86400.0);"
{
  echo "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);"
  echo "$now"
  echo "BEGIN;"
  i=0; while [ $i -lt "$rows" ]; do echo "INSERT INTO t(v) VALUES ('row $i');"; i=$((i + 1)); done
  echo "COMMIT;"
  echo "$now"
  i=0; while [ $i -lt "$commits" ]; do echo "INSERT INTO t(v) VALUES ('commit $i');"; i=$((i + 1)); done
  echo "$now"
} > "$out/inserts.sql"
mkdir -p "$out/volume" "$out/script"
cp "$out/inserts.sql" "$out/script/" # read from a volume by .read: standard input is slow
rates() { # three clock readings -> rows/s in one transaction, commits/s
  awk -v rows="$rows" -v commits="$commits" \
    'NR == 1 { a = $1 } NR == 2 { b = $1 } NR == 3 { c = $1 }
     END { if (NR < 3) { print "failed: no clock readings"; exit 1 }
           printf "one transaction: %.0f rows/s, a commit per row: %.0f commits/s\n",
           rows / (b - a), commits / (c - b) }'
}
run() { # DB [ukrun options]: the script's clock readings, from a run on DB
  db=$1
  shift
  "$ukrun" --hypervisor=qemu --accel=tcg --volume "$out/script:/script" "$@" \
    "$out/src/sqlite3" -- -cmd ".read /script/inserts.sql" "$db" < /dev/null 2> /dev/null
}
for i in 1 2 3 4 5; do
  rm -f "$out/volume"/db*
  printf 'native, host folder: '
  "$out/src/sqlite3" -cmd ".read $out/script/inserts.sql" "$out/volume/db" < /dev/null | rates
  rm -f "$out/volume"/db*
  printf 'image, volume (QEMU TCG): '
  run /data/db --volume "$out/volume:/data" | rates
  printf 'image, /tmp (QEMU TCG): '
  run /tmp/db | rates
done
