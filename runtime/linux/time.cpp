// time.cpp: clocks and sleeping.
#include "uk/time.h"
#include "uk/sched.h"
#include "uk/signal.h"
#include "uk/syscall.h"
#include "uk/vm.h"

#include <linux/time.h>
#include <linux/time_types.h>

namespace uk {
namespace {

constexpr int64_t NsPerSec = 1000000000;

/// The value of Clock in nanoseconds, or -1 for an unknown clock.
int64_t clock_value(uint64_t clock) {
  switch (clock) {
  case CLOCK_REALTIME:
  case CLOCK_REALTIME_COARSE:
  case CLOCK_REALTIME_ALARM:
  case CLOCK_TAI:
    return realtime_ns();
  case CLOCK_MONOTONIC:
  case CLOCK_MONOTONIC_RAW:
  case CLOCK_MONOTONIC_COARSE:
  case CLOCK_BOOTTIME:
  case CLOCK_BOOTTIME_ALARM:
    return int64_t(monotonic_ns());
  case CLOCK_PROCESS_CPUTIME_ID:
    return int64_t(muldiv(process_cpu_ticks(), 1000000000, tsc_hz()));
  case CLOCK_THREAD_CPUTIME_ID:
    return int64_t(muldiv(thread_cpu_ticks(), 1000000000, tsc_hz()));
  default:
    return -1;
  }
}

bool write_timespec(uint64_t addr, int64_t ns) {
  if (!user_ok(addr, sizeof(__kernel_timespec), ProtWrite))
    return false;
  auto *ts = reinterpret_cast<__kernel_timespec *>(addr);
  ts->tv_sec = ns / NsPerSec;
  ts->tv_nsec = ns % NsPerSec;
  return true;
}

/// Reads a timespec; -1 if unreadable, -2 if malformed.
int64_t read_timespec(uint64_t addr) {
  if (!user_ok(addr, sizeof(__kernel_timespec), ProtRead))
    return -1;
  auto *ts = reinterpret_cast<const __kernel_timespec *>(addr);
  if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= NsPerSec)
    return -2;
  if (ts->tv_sec > INT64_MAX / NsPerSec - 1)
    return INT64_MAX;
  return ts->tv_sec * NsPerSec + ts->tv_nsec;
}

/// Sleeps, the CPU free for other threads or halted, until monotonic time Deadline.
/// A signal ends it early with EINTR (never restarted, as on Linux), the time left
/// written to Remaining if not 0.
long sleep_until_monotonic(uint64_t deadline, uint64_t remaining = 0) {
  // tsc_at rounds down: sleep to the next tick so that a sleep never ends early.
  uint64_t tsc = tsc_at(deadline) + 1;
  while (monotonic_ns() < deadline) {
    if (signal_pending()) {
      uint64_t now = monotonic_ns();
      if (remaining && !write_timespec(remaining, int64_t(deadline > now ? deadline - now : 0)))
        return -EFAULT;
      return -EINTR;
    }
    block("sleeping", tsc);
  }
  return 0;
}

} // namespace

UK_SYSCALL(clock_gettime) {
  int64_t ns = clock_value(args.a0);
  if (ns < 0)
    return -EINVAL;
  return write_timespec(args.a1, ns) ? 0 : -EFAULT;
}

UK_SYSCALL(clock_getres) {
  if (clock_value(args.a0) < 0)
    return -EINVAL;
  if (args.a1 && !write_timespec(args.a1, 1))
    return -EFAULT;
  return 0;
}

UK_SYSCALL(gettimeofday) {
  int64_t ns = realtime_ns();
  if (args.a0) {
    if (!user_ok(args.a0, 16, ProtWrite))
      return -EFAULT;
    auto *tv = reinterpret_cast<int64_t *>(args.a0);
    tv[0] = ns / NsPerSec;
    tv[1] = ns % NsPerSec / 1000;
  }
  if (args.a1) {
    if (!user_ok(args.a1, 8, ProtWrite))
      return -EFAULT;
    *reinterpret_cast<uint64_t *>(args.a1) = 0; // timezone: UTC
  }
  return 0;
}

UK_SYSCALL(time) {
  int64_t seconds = realtime_ns() / NsPerSec;
  if (args.a0) {
    if (!user_ok(args.a0, 8, ProtWrite))
      return -EFAULT;
    *reinterpret_cast<int64_t *>(args.a0) = seconds;
  }
  return seconds;
}

UK_SYSCALL(nanosleep) {
  int64_t ns = read_timespec(args.a0);
  if (ns == -1)
    return -EFAULT;
  if (ns < 0)
    return -EINVAL;
  uint64_t now = monotonic_ns();
  return sleep_until_monotonic(uint64_t(ns) > UINT64_MAX - now ? UINT64_MAX : now + ns, args.a1);
}

UK_SYSCALL(clock_nanosleep) {
  uint64_t clock = args.a0, flags = args.a1;
  int64_t now = clock_value(clock);
  if (now < 0 || clock == CLOCK_THREAD_CPUTIME_ID)
    return -EINVAL;
  int64_t ns = read_timespec(args.a2);
  if (ns == -1)
    return -EFAULT;
  if (ns < 0)
    return -EINVAL;
  int64_t wait = flags & TIMER_ABSTIME ? ns - now : ns;
  if (wait <= 0)
    return 0;
  return sleep_until_monotonic(monotonic_ns() + uint64_t(wait),
                               flags & TIMER_ABSTIME ? 0 : args.a3);
}

} // namespace uk
