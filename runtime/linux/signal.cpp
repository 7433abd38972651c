// signal.cpp: signal dispositions and masks are kept, so that programs setting them
// up work; handlers are not run yet, and a signal whose default action is to end the
// program ends it.
#include "signal.h"

#include "uk/print.h"
#include "uk/process.h"
#include "uk/sched.h"
#include "uk/syscall.h"
#include "uk/vm.h"

#include <asm/signal.h>

namespace uk {
namespace {

struct KernelSigaction {
  uint64_t handler, flags, restorer, mask;
};

constexpr int MaxSignal = 64;
constexpr uint64_t Default = 0, Ignore = 1; // SIG_DFL, SIG_IGN
KernelSigaction actions[MaxSignal + 1];
uint64_t blocked;
uint64_t handler_noted; // signals whose handler was skipped, said once each

} // namespace

long signal_self(int signal) {
  if (signal == 0)
    return 0;
  if (signal < 1 || signal > MaxSignal)
    return -EINVAL;
  uint64_t bit = 1ull << (signal - 1);
  uint64_t handler = actions[signal].handler;
  bool fatal = signal != SIGKILL && signal != SIGSTOP;
  if (fatal && (handler == Ignore || (blocked & bit)))
    return 0; // ignored, or blocked (and then never delivered: no handlers run yet)
  if (signal == SIGCHLD || signal == SIGURG || signal == SIGWINCH || signal == SIGCONT)
    return 0; // their default action is to do nothing
  if (fatal && handler != Default) {
    if (!(handler_noted & bit))
      print("ukc++: signal %d has a handler, which is not run: signals are not delivered "
            "yet\n",
            signal);
    handler_noted |= bit;
    return 0;
  }
  if (signal == SIGABRT)
    print("ukc++: the program aborted (SIGABRT)\n");
  else
    print("ukc++: the program received signal %d and ends\n", signal);
  exit_program(ExitKind::Signal, 128 + signal);
}

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
