// process.cpp: process identity and lifetime: exit, ids, uname, limits, affinity.
#include "uk/process.h"
#include "uk/manifest.h"
#include "uk/memory.h"
#include "uk/net.h"
#include "uk/print.h"
#include "uk/sched.h"
#include "uk/syscall.h"
#include "uk/vm.h"

#include <asm/signal.h>
#include <linux/resource.h>
#include <linux/sysinfo.h>
#include <linux/utsname.h>

namespace uk {
namespace {

constexpr long Pid = 1;

template <typename T> T *user_out(uint64_t addr) {
  return user_ok(addr, sizeof(T), ProtWrite) ? reinterpret_cast<T *>(addr) : nullptr;
}

void copy_name(char *dst, const char *src, size_t size) {
  size_t n = strlen(src);
  if (n >= size)
    n = size - 1;
  memcpy(dst, src, n);
  dst[n] = 0;
}

} // namespace

int futex_wake(uint64_t address, int count);
void files_exit();

UK_SYSCALL(exit_group) {
  if (net_drain)
    net_drain(); // the VM ends with the program: let what it sent leave first
  files_exit();  // and what it wrote through shared mappings reach the host's files
  exit_program(ExitKind::Exit, int(args.a0 & 0xff));
}

/// The end of one thread: as Linux does for CLONE_CHILD_CLEARTID, its thread id word
/// is cleared and a waiter on it woken (pthread_join waits there).
UK_SYSCALL(exit) {
  Thread *t = current_thread();
  if (t->clear_child_tid && user_ok(t->clear_child_tid, 4, ProtWrite)) {
    *reinterpret_cast<volatile uint32_t *>(t->clear_child_tid) = 0;
    futex_wake(t->clear_child_tid, 1);
  }
  if (live_threads() == 1 && net_drain)
    net_drain();
  thread_exit(int(args.a0 & 0xff));
}

UK_SYSCALL(getpid) { return Pid; }
UK_SYSCALL(gettid) { return current_thread()->tid; }
UK_SYSCALL(getppid) { return 0; }
UK_SYSCALL(getuid) { return 0; }
UK_SYSCALL(geteuid) { return 0; }
UK_SYSCALL(getgid) { return 0; }
UK_SYSCALL(getegid) { return 0; }
UK_SYSCALL(getpgrp) { return Pid; }
UK_SYSCALL(getpgid) { return Pid; }
UK_SYSCALL(getsid) { return Pid; }
UK_SYSCALL(set_tid_address) {
  current_thread()->clear_child_tid = args.a0;
  return current_thread()->tid;
}

UK_SYSCALL(set_robust_list) {
  if (args.a1 != 24) // sizeof(struct robust_list_head)
    return -EINVAL;
  current_thread()->robust_list = args.a0;
  return 0;
}

// glibc registers restartable sequences at start-up and carries on without them on
// ENOSYS; refusing here is deliberate, so it is not reported as missing.
UK_SYSCALL(rseq) { return -ENOSYS; }

UK_SYSCALL(sched_yield) {
  yield();
  return 0;
}

UK_SYSCALL(sched_getaffinity) {
  uint64_t size = args.a1;
  if (size < 8 || size % 8)
    return -EINVAL;
  if (!user_ok(args.a2, 8, ProtWrite))
    return -EFAULT;
  *reinterpret_cast<uint64_t *>(args.a2) = 1; // CPU 0
  return 8;
}

UK_SYSCALL(sched_setaffinity) { return 0; }

UK_SYSCALL(uname) {
  auto *u = user_out<new_utsname>(args.a0);
  if (!u)
    return -EFAULT;
  memset(u, 0, sizeof *u);
  copy_name(u->sysname, "Linux", sizeof u->sysname);
  copy_name(u->nodename, program_name(), sizeof u->nodename);
  copy_name(u->release, "6.1.0-ukc++", sizeof u->release);
  copy_name(u->version, "#1 SMP ukc++ unikernel", sizeof u->version);
  copy_name(u->machine, "x86_64", sizeof u->machine);
  copy_name(u->domainname, "(none)", sizeof u->domainname);
  return 0;
}

namespace {

rlimit limit_of(unsigned resource) {
  constexpr uint64_t Infinity = ~0ull;
  switch (resource) {
  // The stack limit is what glibc gives new threads: the manifest's thread stack.
  // (The main thread's own stack is StackReserve.)
  case RLIMIT_STACK:
    return {manifest().thread_stack, Infinity};
  case RLIMIT_NOFILE:
    return {256, 256};
  case RLIMIT_NPROC:
    return {manifest().threads_max, manifest().threads_max};
  case RLIMIT_CORE:
    return {0, 0};
  default:
    return {Infinity, Infinity};
  }
}

} // namespace

UK_SYSCALL(prlimit64) {
  if (args.a0 != 0 && args.a0 != uint64_t(Pid))
    return -ESRCH;
  if (args.a1 >= RLIM_NLIMITS)
    return -EINVAL;
  if (args.a3) {
    auto *old = user_out<rlimit>(args.a3);
    if (!old)
      return -EFAULT;
    *old = limit_of(args.a1);
  }
  // New limits are accepted and ignored: the manifest sets the real ones.
  return 0;
}

UK_SYSCALL(getrlimit) {
  if (args.a0 >= RLIM_NLIMITS)
    return -EINVAL;
  auto *out = user_out<rlimit>(args.a1);
  if (!out)
    return -EFAULT;
  *out = limit_of(args.a0);
  return 0;
}

UK_SYSCALL(setrlimit) { return args.a0 < RLIM_NLIMITS ? 0 : -EINVAL; }

UK_SYSCALL(sysinfo) {
  auto *info = user_out<struct sysinfo>(args.a0);
  if (!info)
    return -EFAULT;
  MemoryStats m = memory_stats();
  memset(info, 0, sizeof *info);
  info->totalram = m.total;
  info->freeram = m.free;
  info->procs = 1;
  info->mem_unit = 1;
  return 0;
}

} // namespace uk
