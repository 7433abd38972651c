// syscall.h: the Linux system call ABI as the handlers see it.
#pragma once

#include "uk/cpu.h"

#include <asm-generic/errno.h>

namespace uk {

struct SyscallArgs {
  uint64_t a0, a1, a2, a3, a4, a5;
  TrapFrame *frame;
};

using SyscallHandler = long (*)(const SyscallArgs &);

/// Handler table, indexed by system call number (linux/table.cpp).
extern const SyscallHandler syscall_table[];
extern const char *const syscall_names[];
extern const unsigned syscall_count;

/// Declares the handler of a system call: `long uk::sys_NAME(const SyscallArgs &)`.
#define UK_SYSCALL(name) long sys_##name(const SyscallArgs &args)

/// Returns -ENOSYS, saying once per system call that it is not implemented.
long enosys(uint64_t nr);

} // namespace uk
