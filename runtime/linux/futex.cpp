// futex.cpp: futexes with one thread. glibc uses them even in single-threaded
// programs (locks with no contention, once-initialization); a wait that could only be
// ended by another thread is a deadlock, reported as such. The threads component
// replaces this with the real thing.
#include "uk/print.h"
#include "uk/process.h"
#include "uk/syscall.h"
#include "uk/time.h"
#include "uk/vm.h"

#include <linux/futex.h>
#include <linux/time_types.h>

namespace uk {

UK_SYSCALL_WEAK(futex) {
  uint64_t op = args.a1 & FUTEX_CMD_MASK;
  switch (op) {
  case FUTEX_WAIT:
  case FUTEX_WAIT_BITSET: {
    if (!user_ok(args.a0, 4, ProtRead))
      return -EFAULT;
    if (*reinterpret_cast<volatile uint32_t *>(args.a0) != uint32_t(args.a2))
      return -EAGAIN;
    if (!args.a3) {
      print("ukc++: deadlock: the program's only thread waits on futex %#lx forever\n",
            args.a0);
      exit_program(ExitKind::Signal, 128 + 6);
    }
    if (!user_ok(args.a3, sizeof(__kernel_timespec), ProtRead))
      return -EFAULT;
    auto *ts = reinterpret_cast<const __kernel_timespec *>(args.a3);
    uint64_t ns = uint64_t(ts->tv_sec) * 1000000000 + uint64_t(ts->tv_nsec);
    // FUTEX_WAIT takes a relative timeout, FUTEX_WAIT_BITSET an absolute one.
    uint64_t deadline = op == FUTEX_WAIT ? monotonic_ns() + ns : ns;
    if (args.a1 & FUTEX_CLOCK_REALTIME && op == FUTEX_WAIT_BITSET)
      deadline = ns - uint64_t(realtime_ns() - int64_t(monotonic_ns()));
    while (monotonic_ns() < deadline)
      wait_until(tsc_at(deadline));
    return -ETIMEDOUT;
  }
  case FUTEX_WAKE:
  case FUTEX_WAKE_BITSET:
  case FUTEX_REQUEUE:
  case FUTEX_CMP_REQUEUE:
  case FUTEX_WAKE_OP:
    return 0; // nobody else to wake
  default:
    return -ENOSYS;
  }
}

} // namespace uk
