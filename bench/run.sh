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
for p in hello.c boot_to_main.c getpid.c stdin.c; do
  (cd "$out" && "$ukcc" -O2 "$OLDPWD/bench/programs/$p" -o "${p%.c}.img")
  $clang -static -O2 "bench/programs/$p" -o "$out/${p%.c}.native"
done
(cd "$out" && "$ukcxx" -O2 "$OLDPWD/bench/programs/hello.cpp" -o hellocxx.img &&
  "$ukcxx" -O2 "$OLDPWD/bench/programs/threads.cpp" -o threads.img)
/usr/lib/llvm-19/bin/clang++ -static -O2 bench/programs/threads.cpp -o "$out/threads.native"
/usr/lib/llvm-19/bin/clang++ -static -O2 bench/programs/hello.cpp -o "$out/hellocxx.native"

$clang -O2 bench/floor/kvm_floor.c -o "$out/kvm-floor"
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

hypervisors="qemu-tcg"
if [ "$accels" != tcg ]; then hypervisors="qemu-tcg qemu-kvm monitor"; fi
how() {
  case "$1" in
    qemu-tcg) echo "--hypervisor=qemu --accel=tcg" ;;
    qemu-kvm) echo "--hypervisor=qemu --accel=kvm" ;;
    monitor) echo "--hypervisor=kvm" ;;
  esac
}

echo "## Guest time from first instruction to main() (5 runs each)"
for h in $hypervisors; do
  for i in 1 2 3 4 5; do "$ukrun" $(how $h) "$out/boot_to_main.img"; done | sed "s/^/$h: /"
done

echo "## One getpid() system call"
echo "native: $("$out/getpid.native" 1000000)"
for h in $hypervisors; do
  echo "$h: $("$ukrun" $(how $h) "$out/getpid.img" -- 20000)"
done

if [ "$accels" != tcg ]; then
  echo "## Built-in monitor: a C++ hello's cost (5 runs)"
  for i in 1 2 3 4 5; do "$ukrun" --hypervisor=kvm --stats "$out/hellocxx.img" 2>&1 >/dev/null; done
  if perf stat -e kvm:kvm_emulate_insn true > /dev/null 2>&1; then
    echo "## Kernel instructions emulated and exits (kvm_pvm counts them; median of 5)"
    for p in hello hellocxx; do
      for i in 1 2 3 4 5; do
        perf stat -x, -e kvm:kvm_emulate_insn,kvm:kvm_userspace_exit "$ukrun" --hypervisor=kvm \
          "$out/$p.img" 2>&1 >/dev/null | grep kvm: | cut -d, -f1 | tr '\n' ' '; echo
      done | sort -n | sed -n 3p | sed "s/^/$p: emulated instructions, exits: /"
    done
  fi
fi

echo "## Standard input, from a file (QEMU's UART carries 16 bytes per exit)"
head -c 1048576 /dev/urandom > "$out/input.bin"
head -c 131072 "$out/input.bin" > "$out/input-small.bin"
echo "native: $("$out/stdin.native" < "$out/input.bin")"
for h in $hypervisors; do
  # Ring-0 code is emulated on kvm_pvm, ~26 instructions a byte: a smaller input there.
  in="$out/input.bin"; [ "$h" = qemu-kvm ] && in="$out/input-small.bin"
  echo "$h: $("$ukrun" $(how $h) "$out/stdin.img" < "$in")"
done

echo "## Threads (median of 5 batches)"
echo "native: $("$out/threads.native" 200)"
for h in $hypervisors; do
  n=200; [ "$h" != qemu-tcg ] && n=50
  echo "$h: $("$ukrun" $(how $h) "$out/threads.img" -- $n)"
done

echo "## Files (bench/programs/files.c): packed tree and /tmp in the image, a folder natively"
files="$out/files"
rm -rf "$files" && mkdir -p "$files/root" "$files/scratch" "$files/tree1000/root"
head -c 100 /dev/urandom > "$files/root/small.txt"
head -c 1048576 /dev/urandom > "$files/root/big.bin"
printf 'features:\n  fs: { root: ./root }\n' > "$files/unikernel.yaml"
(cd "$files" && "$ukcc" -O2 "$OLDPWD/bench/programs/files.c" -o files.img)
$clang -static -O2 bench/programs/files.c -o "$files/files.native"
echo "native:"; "$files/files.native" "$files/root" "$files/scratch"
for h in $hypervisors; do
  echo "$h:"; "$ukrun" $(how $h) "$files/files.img" -- / /tmp
done

echo "## Volumes (bench/programs/files.c): a host folder through virtio-9p, the same natively"
mkdir -p "$files/volume"
cp "$files/root/small.txt" "$files/root/big.bin" "$files/volume/"
for i in 1 2 3 4 5; do
  echo "native:"; "$files/files.native" "$files/volume" "$files/volume" 2000 20
  for h in qemu-tcg $( [ -e /dev/kvm ] && echo qemu-kvm ); do
    echo "$h:"; "$ukrun" $(how $h) --volume "$files/volume:/data" "$files/files.img" -- /data /data 2000 20
  done
done

echo "## Boot with a packed tree of 1,000 files (5 runs each)"
python3 -c "
import os, sys
for i in range(1000):
    d = os.path.join(sys.argv[1], 'd%02d' % (i % 40))
    os.makedirs(d, exist_ok=True)
    open(os.path.join(d, 'file%04d.txt' % i), 'w').write('x' * (i % 300))
" "$files/tree1000/root"
printf 'features:\n  fs: { root: ./root }\n' > "$files/tree1000/unikernel.yaml"
(cd "$files/tree1000" && "$ukcc" -O2 "$OLDPWD/bench/programs/boot_to_main.c" -o boot-tree.img)
echo "image: $(stat -c %s "$out/boot_to_main.img") bytes without a tree," \
  "$(stat -c %s "$files/tree1000/boot-tree.img") with it"
for h in $hypervisors; do
  for img in "$out/boot_to_main.img" "$files/tree1000/boot-tree.img"; do
    for i in 1 2 3 4 5; do "$ukrun" $(how $h) "$img"; done | sed "s|^|$h $(basename "$img"): |"
  done
done

echo "## The network on the built-in monitor: exits per request (bench/net_exits.py;"
echo "## in test/nested_kvm.py's VM where /dev/kvm does not open)"
python3 bench/net_exits.py "$build" --runs 3

echo "## Guest kernel instructions per request, counted under QEMU TCG (bench/kernel_insns.py)"
python3 bench/kernel_insns.py "$build"

echo "## Whole run, wall time (hyperfine)"
qemu="qemu-system-x86_64 -M microvm,x-option-roms=off,acpi=off -m 32M -nodefaults -no-user-config -nographic -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4"
set --
if [ "$accels" != tcg ]; then
  set -- -n "floor-kvm-bare" "$out/kvm-floor" \
    -n "hello-c-monitor" "$ukrun --hypervisor=kvm $out/hello.img" \
    -n "hello-cxx-monitor" "$ukrun --hypervisor=kvm $out/hellocxx.img"
fi
for a in $accels; do
  cpu=max; [ $a = kvm ] && cpu=host,-arch-capabilities
  set -- "$@" -n "floor-qemu-$a" "$qemu -accel $a -cpu $cpu -kernel $out/pvh-exit.elf" \
    -n "hello-c-qemu-$a" "$ukrun --hypervisor=qemu --accel=$a $out/hello.img" \
    -n "hello-cxx-qemu-$a" "$ukrun --hypervisor=qemu --accel=$a $out/hellocxx.img" \
    -n "boot-qemu-$a" "$ukrun --hypervisor=qemu --accel=$a $out/boot_to_main.img" \
    -n "boot-tree1000-qemu-$a" "$ukrun --hypervisor=qemu --accel=$a $files/tree1000/boot-tree.img"
done
hyperfine -N -i -w 3 -r 30 --export-markdown "$out/wall.md" "$@" > /dev/null 2>&1 || true
cat "$out/wall.md"
