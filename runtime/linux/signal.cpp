// signal.cpp: signal dispositions and masks are kept, so that programs setting them
// up work; signals are not delivered yet (a fatal one ends the program).
#include "uk/sched.h"
#include "uk/syscall.h"
#include "uk/vm.h"

namespace uk {
namespace {

struct KernelSigaction {
  uint64_t handler, flags, restorer, mask;
};

constexpr int MaxSignal = 64;
KernelSigaction actions[MaxSignal + 1];
uint64_t blocked;

} // namespace

UK_SYSCALL(rt_sigaction) {
  uint64_t signal = args.a0;
  if (signal < 1 || signal > MaxSignal || signal == 9 || signal == 19 || args.a3 != 8)
    return -EINVAL;
  if (args.a2) {
    if (!user_ok(args.a2, sizeof(KernelSigaction), ProtWrite))
      return -EFAULT;
    memcpy(reinterpret_cast<void *>(args.a2), &actions[signal], sizeof(KernelSigaction));
  }
  if (args.a1) {
    if (!user_ok(args.a1, sizeof(KernelSigaction), ProtRead))
      return -EFAULT;
    memcpy(&actions[signal], reinterpret_cast<const void *>(args.a1), sizeof(KernelSigaction));
  }
  return 0;
}

UK_SYSCALL(rt_sigprocmask) {
  uint64_t how = args.a0;
  if (args.a3 != 8)
    return -EINVAL;
  if (args.a2) {
    if (!user_ok(args.a2, 8, ProtWrite))
      return -EFAULT;
    *reinterpret_cast<uint64_t *>(args.a2) = blocked;
  }
  if (args.a1) {
    if (!user_ok(args.a1, 8, ProtRead))
      return -EFAULT;
    uint64_t set = *reinterpret_cast<const uint64_t *>(args.a1);
    switch (how) {
    case 0:
      blocked |= set;
      break; // SIG_BLOCK
    case 1:
      blocked &= ~set;
      break; // SIG_UNBLOCK
    case 2:
      blocked = set;
      break; // SIG_SETMASK
    default:
      return -EINVAL;
    }
  }
  return 0;
}

// Waiting for a signal: none is ever delivered yet, so the thread waits for good
// (and if every thread does, that is reported as a deadlock).
UK_SYSCALL(pause) {
  for (;;)
    block("pause (waits for a signal)", 0);
}

UK_SYSCALL(rt_sigsuspend) {
  for (;;)
    block("sigsuspend (waits for a signal)", 0);
}

UK_SYSCALL(sigaltstack) {
  if (args.a1) {
    if (!user_ok(args.a1, 24, ProtWrite))
      return -EFAULT;
    memset(reinterpret_cast<void *>(args.a1), 0, 24);
    reinterpret_cast<int *>(args.a1)[2] = 2; // SS_DISABLE
  }
  return 0;
}

} // namespace uk
