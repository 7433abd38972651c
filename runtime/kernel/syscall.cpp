// syscall.cpp: dispatch of Linux system calls through the handler table.
#include "uk/syscall.h"

#include "uk/print.h"
#include "uk/trap.h"

namespace uk {
namespace {

uint64_t reported[8]; // one bit per system call number said to be missing
TrapFrame *current_frame;

constexpr uint64_t bit(unsigned nr) { return 1ull << (nr % 64); }

} // namespace

// rt_sigreturn (15), clone (56), fork (57), vfork (58), execve (59), sigaltstack (131),
// clone3 (435).
extern "C" const uint64_t uk_syscall_slow[8] = {
    bit(15) | bit(56) | bit(57) | bit(58) | bit(59), 0, bit(131), 0, 0, 0, bit(435), 0};

extern "C" uint64_t uk_syscall_count = 0;

TrapFrame &syscall_frame() { return *current_frame; }

void syscall_dispatch(TrapFrame &f) {
  uint64_t nr = f.rax;
  SyscallHandler handler = nr < syscall_count ? uk_syscall_table[nr] : nullptr;
  if (!handler) {
    f.rax = uint64_t(uk_syscall_enosys(nr));
    return;
  }
  current_frame = &f;
  f.rax = uint64_t(handler(f.rdi, f.rsi, f.rdx, f.r10, f.r8, f.r9));
}

extern "C" long uk_syscall_enosys(uint64_t nr) {
  if (nr == 511 && probe_syscall())
    return 0; // not reached: the probe returns to the kernel
  if (nr < 512 && !(reported[nr / 64] & (1ull << (nr % 64)))) {
    reported[nr / 64] |= 1ull << (nr % 64);
    const char *name = nr < syscall_count && syscall_names[nr] ? syscall_names[nr] : "?";
    print("ukc++: system call %s (%lu) is not implemented; returning ENOSYS\n", name, nr);
  }
  return -ENOSYS;
}

} // namespace uk
