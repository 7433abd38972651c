#!/bin/sh
# run.sh: the measurements in RESULTS.md. Needs a build (cmake --build build) and
# hyperfine; KVM figures are skipped where /dev/kvm does not open.
#   bench/run.sh [BUILD_DIR]
set -eu
cd "$(dirname "$0")/.."
build="$(realpath "${1:-build}")"
out="$build/bench"
mkdir -p "$out"
ukcc="$build/bin/ukcc" ukcxx="$build/bin/ukc++" ukrun="$build/bin/ukrun"
clang=/usr/lib/llvm-19/bin/clang
accels="tcg"
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then accels="tcg kvm"; fi

# Programs: as images (in an empty folder: no manifest) and natively.
for p in hello.c boot_to_main.c getpid.c; do
  (cd "$out" && "$ukcc" -O2 "$OLDPWD/bench/programs/$p" -o "${p%.c}.img")
  $clang -static -O2 "bench/programs/$p" -o "$out/${p%.c}.native"
done
(cd "$out" && "$ukcxx" -O2 "$OLDPWD/bench/programs/hello.cpp" -o hellocxx.img)
/usr/lib/llvm-19/bin/clang++ -static -O2 bench/programs/hello.cpp -o "$out/hellocxx.native"

$clang -c bench/floor/pvh-exit.S -o "$out/pvh-exit.o"
/usr/lib/llvm-19/bin/ld.lld -T bench/floor/pvh-exit.ld "$out/pvh-exit.o" -o "$out/pvh-exit.elf"

echo "## Image size (stripped with -s, bytes)"
(cd "$out" && "$ukcc" -O2 -s "$OLDPWD/bench/programs/hello.c" -o hello.stripped.img &&
  "$ukcxx" -O2 -s "$OLDPWD/bench/programs/hello.cpp" -o hellocxx.stripped.img)
$clang -static -O2 -s bench/programs/hello.c -o "$out/hello.stripped.native"
/usr/lib/llvm-19/bin/clang++ -static -O2 -s bench/programs/hello.cpp -o "$out/hellocxx.stripped.native"
for f in hello hellocxx; do
  echo "$f: image $(stat -c %s "$out/$f.stripped.img"), static native $(stat -c %s "$out/$f.stripped.native")"
done

echo "## Guest time from first instruction to main() (5 runs each)"
for a in $accels; do
  for i in 1 2 3 4 5; do "$ukrun" --accel=$a "$out/boot_to_main.img"; done | sed "s/^/$a: /"
done

echo "## One getpid() system call"
echo "native: $("$out/getpid.native" 1000000)"
for a in $accels; do
  echo "$a: $("$ukrun" --accel=$a "$out/getpid.img" -- 20000)"
done

echo "## Whole run, wall time (hyperfine)"
qemu="qemu-system-x86_64 -M microvm,x-option-roms=off,acpi=off -m 32M -nodefaults -no-user-config -nographic -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4"
set --
for a in $accels; do
  cpu=max; [ $a = kvm ] && cpu=host,-arch-capabilities
  set -- "$@" -n "floor-$a" "$qemu -accel $a -cpu $cpu -kernel $out/pvh-exit.elf" \
    -n "hello-c-$a" "$ukrun --accel=$a $out/hello.img" \
    -n "hello-cxx-$a" "$ukrun --accel=$a $out/hellocxx.img"
done
hyperfine -N -i -w 3 -r 30 --export-markdown "$out/wall.md" "$@" > /dev/null 2>&1 || true
cat "$out/wall.md"
