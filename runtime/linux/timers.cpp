// timers.cpp: timers that send signals: alarm and setitimer(ITIMER_REAL) (SIGALRM to
// the process), and POSIX timers (timer_create: a signal to the process or to one
// thread, as glibc's SIGEV_THREAD helper asks). All share one list, and the scheduler
// calls back at the earliest expiry.
#include "uk/print.h"
#include "uk/sched.h"
#include "uk/signal.h"
#include "uk/syscall.h"
#include "uk/time.h"
#include "uk/vm.h"

#include <asm/siginfo.h>
#include <asm/signal.h>
#include <linux/time.h>
#include <linux/time_types.h>

namespace uk {
namespace {

constexpr int MaxTimers = 64;
constexpr int RealTimer = MaxTimers; // the slot of alarm() and ITIMER_REAL
constexpr int64_t NsPerSec = 1000000000;
constexpr int SigevSignal = 0, SigevNone = 1, SigevThreadId = 4;

struct Timer {
  bool used;
  bool realtime;     // absolute times are on the realtime clock
  int signal;        // 0: none (SIGEV_NONE)
  int thread;        // tid for SIGEV_THREAD_ID, else 0: the process
  uint64_t expiry;   // monotonic ns; 0: disarmed
  uint64_t interval; // ns; 0: one-shot
  uint64_t value;    // sigev_value, given back in si_value
  int overrun, overrun_reported;
};

Timer timers[MaxTimers + 1];

void expired();

/// Tells the scheduler when the next timer expires.
void schedule_next() {
  uint64_t next = 0;
  for (const Timer &t : timers)
    if (t.used && t.expiry && (!next || t.expiry < next))
      next = t.expiry;
  set_timer_callback(next ? tsc_at(next) + 1 : 0, expired);
}

/// From the timer interrupt: every timer due sends its signal and rearms.
void expired() {
  uint64_t now = monotonic_ns();
  for (int id = 0; id <= MaxTimers; ++id) {
    Timer &t = timers[id];
    if (!t.used || !t.expiry || now < t.expiry)
      continue;
    uint64_t missed = t.interval ? (now - t.expiry) / t.interval : 0;
    t.expiry = t.interval ? t.expiry + (missed + 1) * t.interval : 0;
    t.overrun += int(missed);
    if (!t.signal)
      continue;
    Thread *to = t.thread ? find_thread(t.thread) : nullptr;
    if (t.thread && !to)
      continue; // its thread has ended
    bool posix = id != RealTimer;
    SignalInfo info = {t.signal,
                       0,
                       posix ? SI_TIMER : SI_KERNEL,
                       0,
                       posix ? uint64_t(uint32_t(id)) | uint64_t(uint32_t(t.overrun)) << 32 : 0,
                       t.value};
    t.overrun_reported = t.overrun;
    t.overrun = 0;
    send_signal(t.signal, to, info);
  }
  schedule_next();
}

bool read_timespec(uint64_t addr, uint64_t &ns) {
  auto *ts = reinterpret_cast<const __kernel_timespec *>(addr);
  if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= NsPerSec)
    return false;
  ns = ts->tv_sec > NsPerSec ? uint64_t(NsPerSec) * NsPerSec
                             : uint64_t(ts->tv_sec) * NsPerSec + uint64_t(ts->tv_nsec);
  return true;
}

void write_timespec(__kernel_timespec &ts, uint64_t ns) {
  ts.tv_sec = int64_t(ns / NsPerSec);
  ts.tv_nsec = int64_t(ns % NsPerSec);
}

uint64_t left(const Timer &t) {
  uint64_t now = monotonic_ns();
  return t.expiry > now ? t.expiry - now : t.expiry ? 1 : 0;
}

/// Arms T to expire after Value ns (absolute: at Value on its clock), then every
/// Interval ns; Value 0 disarms it.
void arm(Timer &t, uint64_t value, uint64_t interval, bool absolute) {
  uint64_t now = monotonic_ns();
  t.interval = interval;
  if (!value) {
    t.expiry = 0;
  } else if (absolute) {
    int64_t offset = t.realtime ? realtime_ns() - int64_t(now) : 0;
    int64_t at = int64_t(value) - offset;
    t.expiry = at > 0 ? uint64_t(at) : 1;
  } else {
    t.expiry = now + value;
  }
  t.overrun = 0;
  schedule_next();
}

struct ItimerSpec {
  __kernel_timespec interval, value;
};

struct Timeval {
  int64_t sec, usec;
};
struct Itimerval {
  Timeval interval, value;
};

uint64_t from_timeval(const Timeval &tv) {
  return uint64_t(tv.sec) * NsPerSec + uint64_t(tv.usec) * 1000;
}
Timeval to_timeval(uint64_t ns) {
  // Round up, as Linux does, so that a running timer never reads as 0.
  uint64_t us = (ns + 999) / 1000;
  return {int64_t(us / 1000000), int64_t(us % 1000000)};
}

Timer *posix_timer(uint64_t id) {
  return id < MaxTimers && timers[id].used ? &timers[id] : nullptr;
}

} // namespace

UK_SYSCALL(alarm) {
  Timer &t = timers[RealTimer];
  uint64_t was = left(t);
  t.used = true;
  t.signal = SIGALRM;
  arm(t, args.a0 * NsPerSec, 0, false);
  // The seconds that were left, rounded as Linux does: 0 only if none were.
  uint64_t seconds = was / NsPerSec, us = was % NsPerSec / 1000;
  return long(seconds + ((!seconds && us) || us >= 500000));
}

UK_SYSCALL(setitimer) {
  if (args.a0 != 0) { // ITIMER_VIRTUAL and ITIMER_PROF count CPU time: not kept
    static bool said;
    if (!said && args.a0 <= 2)
      print("ukc++: setitimer: only ITIMER_REAL is supported\n");
    said = true;
    return -EINVAL;
  }
  Timer &t = timers[RealTimer];
  if (args.a2) {
    if (!user_ok(args.a2, sizeof(Itimerval), ProtWrite))
      return -EFAULT;
    *reinterpret_cast<Itimerval *>(args.a2) = {to_timeval(t.interval), to_timeval(left(t))};
  }
  if (args.a1) {
    if (!user_ok(args.a1, sizeof(Itimerval), ProtRead))
      return -EFAULT;
    Itimerval v = *reinterpret_cast<const Itimerval *>(args.a1);
    if (v.value.usec < 0 || v.value.usec >= 1000000 || v.value.sec < 0 || v.interval.usec < 0 ||
        v.interval.usec >= 1000000 || v.interval.sec < 0)
      return -EINVAL;
    t.used = true;
    t.signal = SIGALRM;
    arm(t, from_timeval(v.value), from_timeval(v.interval), false);
  }
  return 0;
}

UK_SYSCALL(getitimer) {
  if (args.a0 > 2)
    return -EINVAL;
  if (!user_ok(args.a1, sizeof(Itimerval), ProtWrite))
    return -EFAULT;
  const Timer &t = timers[RealTimer];
  *reinterpret_cast<Itimerval *>(args.a1) =
      args.a0 == 0 ? Itimerval{to_timeval(t.interval), to_timeval(left(t))} : Itimerval{};
  return 0;
}

UK_SYSCALL(timer_create) {
  int clock = int(args.a0);
  if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC && clock != CLOCK_BOOTTIME &&
      clock != CLOCK_REALTIME_ALARM && clock != CLOCK_BOOTTIME_ALARM)
    return -EINVAL;
  if (!user_ok(args.a2, sizeof(int), ProtWrite))
    return -EFAULT;
  int id = 0;
  while (id < MaxTimers && timers[id].used)
    ++id;
  if (id == MaxTimers)
    return -EAGAIN;
  Timer t = {};
  t.used = true;
  t.realtime = clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_ALARM;
  t.signal = SIGALRM;
  t.value = uint64_t(id);
  if (args.a1) { // struct sigevent: value, signo, notify, then the thread id
    if (!user_ok(args.a1, 20, ProtRead))
      return -EFAULT;
    auto *event = reinterpret_cast<const uint8_t *>(args.a1);
    int notify;
    memcpy(&t.value, event, 8);
    memcpy(&t.signal, event + 8, 4);
    memcpy(&notify, event + 12, 4);
    if (notify == SigevNone) {
      t.signal = 0;
    } else if (notify == SigevSignal || notify == SigevThreadId) {
      if (t.signal < 1 || t.signal > MaxSignal)
        return -EINVAL;
      if (notify == SigevThreadId) {
        memcpy(&t.thread, event + 16, 4);
        if (!find_thread(t.thread))
          return -EINVAL;
      }
    } else {
      return -EINVAL; // SIGEV_THREAD is glibc's, made of SIGEV_THREAD_ID
    }
  }
  timers[id] = t;
  *reinterpret_cast<int *>(args.a2) = id;
  return 0;
}

UK_SYSCALL(timer_settime) {
  Timer *t = posix_timer(args.a0);
  if (!t)
    return -EINVAL;
  if (!user_ok(args.a2, sizeof(ItimerSpec), ProtRead) ||
      (args.a3 && !user_ok(args.a3, sizeof(ItimerSpec), ProtWrite)))
    return -EFAULT;
  if (args.a1 & ~uint64_t(TIMER_ABSTIME))
    return -EINVAL;
  auto *spec = reinterpret_cast<const ItimerSpec *>(args.a2);
  uint64_t value, interval;
  if (!read_timespec(uint64_t(&spec->value), value) ||
      !read_timespec(uint64_t(&spec->interval), interval))
    return -EINVAL;
  if (args.a3) {
    auto *old = reinterpret_cast<ItimerSpec *>(args.a3);
    write_timespec(old->value, left(*t));
    write_timespec(old->interval, t->interval);
  }
  arm(*t, value, interval, args.a1 & TIMER_ABSTIME);
  return 0;
}

UK_SYSCALL(timer_gettime) {
  Timer *t = posix_timer(args.a0);
  if (!t)
    return -EINVAL;
  if (!user_ok(args.a1, sizeof(ItimerSpec), ProtWrite))
    return -EFAULT;
  auto *out = reinterpret_cast<ItimerSpec *>(args.a1);
  write_timespec(out->value, left(*t));
  write_timespec(out->interval, t->interval);
  return 0;
}

UK_SYSCALL(timer_getoverrun) {
  Timer *t = posix_timer(args.a0);
  return t ? t->overrun_reported : -EINVAL;
}

UK_SYSCALL(timer_delete) {
  Timer *t = posix_timer(args.a0);
  if (!t)
    return -EINVAL;
  *t = {};
  schedule_next();
  return 0;
}

} // namespace uk
