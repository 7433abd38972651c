// syscall.h: the Linux system call ABI as the handlers see it.
#pragma once

#include "uk/cpu.h"

#include <asm-generic/errno.h>

namespace uk {

/// The six argument registers of a system call.
struct SyscallArgs {
  uint64_t a0, a1, a2, a3, a4, a5;
};

/// Handlers take the arguments as the C convention passes them, so that the entry
/// code calls them directly (arch/x86_64/entry.S).
using SyscallHandler = long (*)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

/// Defines the handler of a system call, `long uk::sys_NAME(a0, ..., a5)`, whose body
/// reads its arguments as args.a0 ... args.a5.
#define UK_SYSCALL(name)                                                                       \
  static inline long sys_##name##_body(const SyscallArgs &args);                               \
  long sys_##name(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,             \
                  uint64_t a5) {                                                               \
    return sys_##name##_body({a0, a1, a2, a3, a4, a5});                                        \
  }                                                                                            \
  static inline long sys_##name##_body(const SyscallArgs &args)

/// Like UK_SYSCALL, for a default that another component may replace.
#define UK_SYSCALL_WEAK(name)                                                                  \
  static inline long sys_##name##_body(const SyscallArgs &args);                               \
  __attribute__((weak)) long sys_##name(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,    \
                                        uint64_t a4, uint64_t a5) {                            \
    return sys_##name##_body({a0, a1, a2, a3, a4, a5});                                        \
  }                                                                                            \
  static inline long sys_##name##_body(const SyscallArgs &args)

/// Declares a handler defined in another file.
#define UK_SYSCALL_DECLARE(name)                                                               \
  long sys_##name(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t)

/// The frame of the system call in progress, for the calls that take the slow path
/// (uk_syscall_slow): they see and may change every register of the program.
TrapFrame &syscall_frame();

extern const char *const syscall_names[];
extern const unsigned syscall_count;

} // namespace uk

extern "C" {
/// Handler table, indexed by system call number (linux/table.cpp); null: ENOSYS.
extern const uk::SyscallHandler uk_syscall_table[];
/// Bit N set: system call N needs the whole register state (the slow path).
extern const uint64_t uk_syscall_slow[8];
/// Returns -ENOSYS, saying once per system call that it is not implemented.
long uk_syscall_enosys(uint64_t nr);
/// System calls made so far (counted by the entry code).
extern uint64_t uk_syscall_count;
}

namespace uk {} // namespace uk
