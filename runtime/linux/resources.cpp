// resources.cpp: what a process asks about its share of the machine: CPU time used
// (getrusage, times), priorities and scheduling policy (one CPU, one policy: all
// threads are SCHED_OTHER at nice 0, and may ask to stay so), thread names (prctl),
// and memory locking (memory is never paged out, so locking always succeeds).
#include "uk/memory.h"
#include "uk/process.h"
#include "uk/sched.h"
#include "uk/syscall.h"
#include "uk/time.h"
#include "uk/vm.h"

#include <linux/prctl.h>
#include <linux/resource.h>
#include <linux/sched.h>
#include <linux/time_types.h>

namespace uk {
namespace {

constexpr uint64_t ClockTicksPerSecond = 100; // sysconf(_SC_CLK_TCK)
bool no_new_privs;

struct Timeval {
  int64_t sec, usec;
};

Timeval timeval_of(uint64_t ticks) {
  uint64_t us = muldiv(ticks, 1000000, tsc_hz());
  return {int64_t(us / 1000000), int64_t(us % 1000000)};
}

uint64_t clock_ticks(uint64_t tsc_ticks) {
  return muldiv(tsc_ticks, ClockTicksPerSecond, tsc_hz());
}

/// The thread a pid/tid argument names (0: the caller), or null.
Thread *named_thread(uint64_t id) {
  Thread *t = current_thread();
  return id == 0 || id == 1 || id == uint64_t(t->tid) ? t : nullptr;
}

} // namespace

UK_SYSCALL(getrusage) {
  int who = int(args.a0);
  if (who != RUSAGE_SELF && who != RUSAGE_THREAD && who != RUSAGE_CHILDREN)
    return -EINVAL;
  if (!user_ok(args.a1, sizeof(rusage), ProtWrite))
    return -EFAULT;
  auto *usage = reinterpret_cast<rusage *>(args.a1);
  memset(usage, 0, sizeof *usage);
  if (who == RUSAGE_CHILDREN)
    return 0; // there are none
  Timeval user = timeval_of(who == RUSAGE_THREAD ? thread_cpu_ticks() : process_cpu_ticks());
  usage->ru_utime.tv_sec = user.sec;
  usage->ru_utime.tv_usec = user.usec;
  MemoryStats m = memory_stats();
  usage->ru_maxrss = long((m.total - m.free) / 1024); // KiB in use: an upper bound
  return 0;
}

UK_SYSCALL(times) {
  if (args.a0) {
    if (!user_ok(args.a0, 4 * sizeof(int64_t), ProtWrite))
      return -EFAULT;
    auto *t = reinterpret_cast<int64_t *>(args.a0); // utime, stime, cutime, cstime
    t[0] = int64_t(clock_ticks(process_cpu_ticks()));
    t[1] = t[2] = t[3] = 0;
  }
  return long(muldiv(monotonic_ns(), ClockTicksPerSecond, 1000000000));
}

UK_SYSCALL(getpriority) {
  if (args.a0 > 2) // PRIO_PROCESS, PRIO_PGRP, PRIO_USER
    return -EINVAL;
  return 20; // the system call's form of nice 0 (glibc turns it into 0)
}

UK_SYSCALL(setpriority) {
  if (args.a0 > 2)
    return -EINVAL;
  return int(args.a2) == 0 ? 0 : -EACCES; // nice stays 0: there is no one to yield to
}

UK_SYSCALL(sched_getscheduler) { return named_thread(args.a0) ? SCHED_NORMAL : -ESRCH; }

UK_SYSCALL(sched_getparam) {
  if (!named_thread(args.a0))
    return -ESRCH;
  if (!user_ok(args.a1, sizeof(int), ProtWrite))
    return -EFAULT;
  *reinterpret_cast<int *>(args.a1) = 0; // sched_priority
  return 0;
}

UK_SYSCALL(sched_setscheduler) {
  if (!named_thread(args.a0))
    return -ESRCH;
  if (!user_ok(args.a2, sizeof(int), ProtRead))
    return -EFAULT;
  int priority = *reinterpret_cast<const int *>(args.a2);
  int policy = int(args.a1) & ~SCHED_RESET_ON_FORK;
  if (policy == SCHED_NORMAL || policy == SCHED_BATCH || policy == SCHED_IDLE)
    return priority == 0 ? 0 : -EINVAL;
  return policy == SCHED_FIFO || policy == SCHED_RR ? -EPERM : -EINVAL;
}

UK_SYSCALL(sched_setparam) {
  if (!named_thread(args.a0))
    return -ESRCH;
  if (!user_ok(args.a1, sizeof(int), ProtRead))
    return -EFAULT;
  return *reinterpret_cast<const int *>(args.a1) == 0 ? 0 : -EINVAL;
}

UK_SYSCALL(sched_get_priority_max) {
  int policy = int(args.a0);
  return policy == SCHED_FIFO || policy == SCHED_RR                                ? 99
         : policy == SCHED_NORMAL || policy == SCHED_BATCH || policy == SCHED_IDLE ? 0
                                                                                   : -EINVAL;
}

UK_SYSCALL(sched_get_priority_min) {
  int policy = int(args.a0);
  return policy == SCHED_FIFO || policy == SCHED_RR                                ? 1
         : policy == SCHED_NORMAL || policy == SCHED_BATCH || policy == SCHED_IDLE ? 0
                                                                                   : -EINVAL;
}

UK_SYSCALL(prctl) {
  Thread *t = current_thread();
  switch (args.a0) {
  case PR_SET_NAME: {
    long len = user_strlen(reinterpret_cast<const char *>(args.a1), 4096);
    if (len < 0)
      return -EFAULT;
    size_t n = len < long(sizeof t->name) ? size_t(len) : sizeof t->name - 1;
    memcpy(t->name, reinterpret_cast<const char *>(args.a1), n);
    t->name[n] = 0;
    return 0;
  }
  case PR_GET_NAME: {
    if (!user_ok(args.a1, sizeof t->name, ProtWrite))
      return -EFAULT;
    auto *out = reinterpret_cast<char *>(args.a1);
    // Unnamed: the program's name, as Linux names a process after its executable.
    const char *name = t->name[0] ? t->name : program_name();
    size_t n = strlen(name) < sizeof t->name ? strlen(name) : sizeof t->name - 1;
    memcpy(out, name, n);
    out[n] = 0;
    return 0;
  }
  case PR_SET_DUMPABLE:
    return args.a1 <= 1 ? 0 : -EINVAL;
  case PR_GET_DUMPABLE:
    return 1;
  case PR_SET_NO_NEW_PRIVS:
    if (args.a1 != 1)
      return -EINVAL;
    no_new_privs = true;
    return 0;
  case PR_GET_NO_NEW_PRIVS:
    return no_new_privs;
  case PR_SET_PDEATHSIG:
  case PR_SET_TIMERSLACK:
  case PR_SET_CHILD_SUBREAPER:
    return 0; // nothing here for them to change
  case PR_GET_CHILD_SUBREAPER:
    return 0;
  case PR_GET_TIMERSLACK:
    return 50000; // Linux's default, in ns
  default:
    return -EINVAL;
  }
}

UK_SYSCALL(mlock) { return user_ok(args.a0 & ~(PageSize - 1), args.a1, 0) ? 0 : -ENOMEM; }
UK_SYSCALL(mlock2) { return sys_mlock(args.a0, args.a1, 0, 0, 0, 0); }
UK_SYSCALL(munlock) { return sys_mlock(args.a0, args.a1, 0, 0, 0, 0); }
UK_SYSCALL(mlockall) { return args.a0 && !(args.a0 & ~uint64_t(7)) ? 0 : -EINVAL; }
UK_SYSCALL(munlockall) { return 0; }

} // namespace uk
