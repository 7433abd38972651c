// signal.cpp: the signal system calls: actions, masks, alternate stacks, sending
// (kill, tgkill, sigqueue), waiting (pause, sigsuspend, sigtimedwait) and the return
// from a handler. The machinery is the kernel's (kernel/signal.cpp).
#include "uk/signal.h"
#include "uk/print.h"
#include "uk/process.h"
#include "uk/sched.h"
#include "uk/syscall.h"
#include "uk/time.h"
#include "uk/vm.h"

#include <asm/siginfo.h>
#include <asm/signal.h>
#include <linux/time_types.h>

namespace uk {
namespace {

constexpr long Pid = 1;
constexpr int32_t SsOnStack = 1, SsDisable = 2; // SS_ONSTACK, SS_DISABLE
constexpr uint64_t MinAltStack = 2048;          // MINSIGSTKSZ

bool valid_signal(uint64_t signal) { return signal >= 1 && signal <= MaxSignal; }

/// Sending: signal 0 only checks that the target exists.
long send(uint64_t signal, Thread *to, const SignalInfo &info) {
  if (signal == 0)
    return 0;
  if (!valid_signal(signal))
    return -EINVAL;
  send_signal(int(signal), to, info);
  return 0;
}

SignalInfo from_user(int signal, int code) {
  return {signal, 0, code, 0, uint64_t(Pid), 0}; // si_pid 1, si_uid 0
}

/// The sender's siginfo for sigqueue: what the program gave, as Linux takes it.
long queued_info(uint64_t signal, uint64_t addr, SignalInfo &info) {
  if (!user_ok(addr, sizeof info, ProtRead))
    return -EFAULT;
  memcpy(&info, reinterpret_cast<const void *>(addr), sizeof info);
  info.signo = int32_t(signal);
  return 0;
}

/// Waits until a signal comes; returns -EINTR after its handler (or never).
long wait_for_signal(const char *reason) {
  while (!signal_pending())
    block(reason, 0);
  return -EINTR;
}

} // namespace

UK_SYSCALL(rt_sigaction) {
  uint64_t signal = args.a0;
  if (!valid_signal(signal) || signal == SIGKILL || signal == SIGSTOP || args.a3 != 8)
    return -EINVAL;
  SignalAction &action = signal_action(int(signal));
  SignalAction old = action;
  if (args.a1) {
    if (!user_ok(args.a1, sizeof(SignalAction), ProtRead))
      return -EFAULT;
    memcpy(&action, reinterpret_cast<const void *>(args.a1), sizeof action);
    action.mask &= ~(signal_bit(SIGKILL) | signal_bit(SIGSTOP));
  }
  if (args.a2) {
    if (!user_ok(args.a2, sizeof(SignalAction), ProtWrite))
      return -EFAULT;
    memcpy(reinterpret_cast<void *>(args.a2), &old, sizeof old);
  }
  return 0;
}

UK_SYSCALL(rt_sigprocmask) {
  if (args.a3 != 8)
    return -EINVAL;
  Thread *t = current_thread();
  uint64_t old = t->blocked_signals;
  if (args.a1) {
    if (!user_ok(args.a1, 8, ProtRead))
      return -EFAULT;
    uint64_t set = *reinterpret_cast<const uint64_t *>(args.a1);
    switch (args.a0) {
    case SIG_BLOCK:
      set_blocked_signals(old | set);
      break;
    case SIG_UNBLOCK:
      set_blocked_signals(old & ~set);
      break;
    case SIG_SETMASK:
      set_blocked_signals(set);
      break;
    default:
      return -EINVAL;
    }
  }
  if (args.a2) {
    if (!user_ok(args.a2, 8, ProtWrite))
      return -EFAULT;
    *reinterpret_cast<uint64_t *>(args.a2) = old;
  }
  return 0;
}

UK_SYSCALL(rt_sigpending) {
  if (args.a1 != 8)
    return -EINVAL;
  if (!user_ok(args.a0, 8, ProtWrite))
    return -EFAULT;
  *reinterpret_cast<uint64_t *>(args.a0) = pending_signals();
  return 0;
}

UK_SYSCALL(pause) { return wait_for_signal("pause (waits for a signal)"); }

UK_SYSCALL(rt_sigsuspend) {
  if (args.a1 != 8)
    return -EINVAL;
  if (!user_ok(args.a0, 8, ProtRead))
    return -EFAULT;
  Thread *t = current_thread();
  // The handler runs under the temporary mask; its return restores the caller's.
  t->saved_blocked = t->blocked_signals;
  t->restore_blocked = true;
  set_blocked_signals(*reinterpret_cast<const uint64_t *>(args.a0));
  return wait_for_signal("sigsuspend (waits for a signal)");
}

UK_SYSCALL(rt_sigtimedwait) {
  if (args.a3 != 8)
    return -EINVAL;
  if (!user_ok(args.a0, 8, ProtRead) || (args.a1 && !user_ok(args.a1, 128, ProtWrite)))
    return -EFAULT;
  uint64_t set = *reinterpret_cast<const uint64_t *>(args.a0) &
                 ~(signal_bit(SIGKILL) | signal_bit(SIGSTOP));
  uint64_t deadline = 0;
  if (args.a2) {
    if (!user_ok(args.a2, sizeof(__kernel_timespec), ProtRead))
      return -EFAULT;
    auto *ts = reinterpret_cast<const __kernel_timespec *>(args.a2);
    if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000)
      return -EINVAL;
    uint64_t ns = ts->tv_sec > 1000000000 ? 1000000000ull * 1000000000
                                          : uint64_t(ts->tv_sec) * 1000000000 + ts->tv_nsec;
    deadline = tsc_at(monotonic_ns() + ns) | 1;
  }
  Thread *t = current_thread();
  for (;;) {
    SignalInfo info;
    if (int signal = take_signal(set, info)) {
      if (args.a1) {
        memset(reinterpret_cast<void *>(args.a1), 0, 128);
        memcpy(reinterpret_cast<void *>(args.a1), &info, sizeof info);
      }
      return signal;
    }
    if (deadline && rdtsc() >= deadline)
      return -EAGAIN;
    if (signal_pending())
      return -EINTR; // another signal, with a handler
    t->waiting_signals = set;
    block("sigtimedwait (waits for a signal)", deadline);
    t->waiting_signals = 0;
  }
}

UK_SYSCALL(rt_sigreturn) {
  TrapFrame &f = syscall_frame();
  if (!signal_return(f)) {
    print("ukc++: rt_sigreturn: the signal frame at %#lx is not one the kernel made\n",
          f.rsp - 8);
    exit_program(ExitKind::Signal, 128 + SIGSEGV);
  }
  return long(f.rax); // the interrupted code's rax, not a result
}

UK_SYSCALL(sigaltstack) {
  Thread *t = current_thread();
  uint64_t sp = syscall_frame().rsp; // a slow-path call (kernel/syscall.cpp)
  bool on = t->altstack_size && sp - t->altstack_sp <= t->altstack_size;
  struct Stack {
    uint64_t sp;
    int32_t flags, pad;
    uint64_t size;
  };
  Stack old = {t->altstack_sp,
               on                 ? SsOnStack
               : t->altstack_size ? 0
                                  : SsDisable,
               0, t->altstack_size};
  if (args.a0) {
    if (!user_ok(args.a0, sizeof(Stack), ProtRead))
      return -EFAULT;
    Stack s;
    memcpy(&s, reinterpret_cast<const void *>(args.a0), sizeof s);
    if (on)
      return -EPERM;
    if (s.flags & ~(SsDisable | SsOnStack | int32_t(1u << 31))) // SS_AUTODISARM
      return -EINVAL;
    if (s.flags & SsDisable) {
      t->altstack_sp = t->altstack_size = 0;
    } else {
      if (s.size < MinAltStack)
        return -ENOMEM;
      t->altstack_sp = s.sp;
      t->altstack_size = s.size;
    }
  }
  if (args.a1) {
    if (!user_ok(args.a1, sizeof(Stack), ProtWrite))
      return -EFAULT;
    memcpy(reinterpret_cast<void *>(args.a1), &old, sizeof old);
  }
  return 0;
}

UK_SYSCALL(kill) {
  int64_t pid = int64_t(args.a0);
  if (pid != Pid && pid != 0 && pid != -1)
    return -ESRCH;
  return send(args.a1, nullptr, from_user(int(args.a1), SI_USER));
}

UK_SYSCALL(tgkill) {
  if (args.a0 != uint64_t(Pid))
    return -ESRCH;
  Thread *t = find_thread(int(args.a1));
  return t ? send(args.a2, t, from_user(int(args.a2), SI_TKILL)) : -ESRCH;
}

UK_SYSCALL(tkill) {
  Thread *t = find_thread(int(args.a0));
  return t ? send(args.a1, t, from_user(int(args.a1), SI_TKILL)) : -ESRCH;
}

UK_SYSCALL(rt_sigqueueinfo) {
  if (args.a0 != uint64_t(Pid))
    return -ESRCH;
  SignalInfo info;
  if (long error = queued_info(args.a1, args.a2, info))
    return error;
  return send(args.a1, nullptr, info);
}

UK_SYSCALL(rt_tgsigqueueinfo) {
  if (args.a0 != uint64_t(Pid))
    return -ESRCH;
  Thread *t = find_thread(int(args.a1));
  if (!t)
    return -ESRCH;
  SignalInfo info;
  if (long error = queued_info(args.a2, args.a3, info))
    return error;
  return send(args.a2, t, info);
}

} // namespace uk
