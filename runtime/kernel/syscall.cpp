// syscall.cpp: dispatch of Linux system calls through the handler table.
#include "uk/syscall.h"

#include "uk/print.h"
#include "uk/trap.h"

namespace uk {
namespace {

uint64_t reported[8]; // one bit per system call number said to be missing

} // namespace

void syscall_dispatch(TrapFrame &f) {
  uint64_t nr = f.rax;
  SyscallHandler handler = nr < syscall_count ? syscall_table[nr] : nullptr;
  if (!handler) {
    f.rax = uint64_t(enosys(nr));
    return;
  }
  f.rax = uint64_t(handler({f.rdi, f.rsi, f.rdx, f.r10, f.r8, f.r9, &f}));
}

long enosys(uint64_t nr) {
  if (nr < 512 && !(reported[nr / 64] & (1ull << (nr % 64)))) {
    reported[nr / 64] |= 1ull << (nr % 64);
    const char *name = nr < syscall_count && syscall_names[nr] ? syscall_names[nr] : "?";
    print("ukc++: system call %s (%lu) is not implemented; returning ENOSYS\n", name, nr);
  }
  return -ENOSYS;
}

} // namespace uk
