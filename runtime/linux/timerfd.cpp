// timerfd.cpp: timers as descriptors: a read waits for the next expiry and returns
// how many have passed; poll and epoll wake when one is due.
#include "file.h"

#include "uk/signal.h"
#include "uk/syscall.h"
#include "uk/time.h"
#include "uk/vm.h"

#include <asm/fcntl.h>
#include <asm/poll.h>
#include <linux/time.h>
#include <linux/time_types.h>

namespace uk {
namespace {

constexpr uint64_t AbsoluteTime = 1; // TFD_TIMER_ABSTIME
constexpr uint64_t CancelOnSet = 2;  // TFD_TIMER_CANCEL_ON_SET: the clock is never set here
constexpr int64_t NsPerSecond = 1000000000;

struct Timer {
  FileObject header;
  uint64_t expiry;   // monotonic ns of the next expiry; 0: disarmed
  uint64_t interval; // ns; 0: one-shot
  int refs;
  bool realtime; // the clock absolute times are given on
};

struct ItimerSpec {
  __kernel_timespec interval, value;
};

Timer &timer_of(const File &f) { return *static_cast<Timer *>(f.object); }

bool due(const Timer &t) { return t.expiry && monotonic_ns() >= t.expiry; }

long timer_read(File &f, char *buf, size_t len) {
  if (len < 8)
    return -EINVAL;
  Timer &t = timer_of(f);
  while (!due(t)) {
    if (f.flags & O_NONBLOCK)
      return -EAGAIN;
    if (signal_pending())
      return -RestartSys;
    wait_for_files("timerfd read", t.expiry ? tsc_at(t.expiry) : 0);
  }
  uint64_t now = monotonic_ns();
  uint64_t expirations = 1 + (t.interval ? (now - t.expiry) / t.interval : 0);
  t.expiry = t.interval ? t.expiry + expirations * t.interval : 0;
  memcpy(buf, &expirations, 8);
  return 8;
}

short timer_poll(const File &f) { return due(timer_of(f)) ? POLLIN | POLLRDNORM : 0; }

uint64_t timer_ready_at(const File &f) {
  const Timer &t = timer_of(f);
  return t.expiry ? tsc_at(t.expiry) : 0;
}

void timer_retain(File &f) { ++timer_of(f).refs; }
void timer_release(File &f) {
  if (!--timer_of(f).refs)
    file_object_free(f.object);
}

const FileOps timer_ops = {.read = timer_read,
                           .poll = timer_poll,
                           .ready_at = timer_ready_at,
                           .retain = timer_retain,
                           .release = timer_release,
                           .mode = 0600};

File *timer_file(uint64_t fd) {
  File *f = file(fd);
  return f && f->ops == &timer_ops ? f : nullptr;
}

void to_timespec(uint64_t ns, __kernel_timespec &ts) {
  ts.tv_sec = int64_t(ns / NsPerSecond);
  ts.tv_nsec = int64_t(ns % NsPerSecond);
}

/// What is left until the next expiry, and the interval.
void current(const Timer &t, ItimerSpec &out) {
  uint64_t now = monotonic_ns(), left = 0;
  if (t.expiry && now < t.expiry)
    left = t.expiry - now;
  else if (t.expiry && t.interval)
    left = t.interval - (now - t.expiry) % t.interval;
  to_timespec(left, out.value);
  to_timespec(t.interval, out.interval);
}

bool valid(const __kernel_timespec &ts) {
  return ts.tv_sec >= 0 && ts.tv_nsec >= 0 && ts.tv_nsec < NsPerSecond;
}

uint64_t nanoseconds(const __kernel_timespec &ts) {
  // Past ~292 years the sum would overflow: as good as never.
  return uint64_t(ts.tv_sec) > ~0ull / NsPerSecond - 1
             ? ~0ull >> 1
             : uint64_t(ts.tv_sec) * NsPerSecond + uint64_t(ts.tv_nsec);
}

} // namespace

UK_SYSCALL(timerfd_create) {
  int clock = int(args.a0);
  if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC && clock != CLOCK_BOOTTIME &&
      clock != CLOCK_REALTIME_ALARM && clock != CLOCK_BOOTTIME_ALARM)
    return -EINVAL;
  if (args.a1 & ~uint64_t(O_CLOEXEC | O_NONBLOCK))
    return -EINVAL;
  auto *t = static_cast<Timer *>(file_object_alloc());
  if (!t)
    return -ENOMEM;
  *t = {t->header, 0, 0, 1, clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_ALARM};
  long fd = install(
      {&timer_ops, t, 0, O_RDONLY | unsigned(args.a1 & O_NONBLOCK), bool(args.a1 & O_CLOEXEC)});
  if (fd < 0)
    file_object_free(t);
  return fd;
}

UK_SYSCALL(timerfd_settime) {
  File *f = timer_file(args.a0);
  if (!f)
    return file(args.a0) ? -EINVAL : -EBADF;
  if (args.a1 & ~(AbsoluteTime | CancelOnSet))
    return -EINVAL;
  if (!user_ok(args.a2, sizeof(ItimerSpec), ProtRead) ||
      (args.a3 && !user_ok(args.a3, sizeof(ItimerSpec), ProtWrite)))
    return -EFAULT;
  ItimerSpec spec;
  memcpy(&spec, reinterpret_cast<const void *>(args.a2), sizeof spec);
  if (!valid(spec.value) || !valid(spec.interval))
    return -EINVAL;
  Timer &t = timer_of(*f);
  if (args.a3)
    current(t, *reinterpret_cast<ItimerSpec *>(args.a3));
  uint64_t value = nanoseconds(spec.value), now = monotonic_ns();
  t.interval = nanoseconds(spec.interval);
  if (!value) {
    t.expiry = 0;
  } else if (args.a1 & AbsoluteTime) {
    // An absolute time on the realtime clock, as the monotonic time it will be then.
    int64_t offset = t.realtime ? realtime_ns() - int64_t(now) : 0;
    int64_t at = int64_t(value) - offset;
    t.expiry = at > 0 ? uint64_t(at) : 1;
  } else {
    t.expiry = now + value;
  }
  files_changed(&t.header); // pollers recompute when to wake
  return 0;
}

UK_SYSCALL(timerfd_gettime) {
  File *f = timer_file(args.a0);
  if (!f)
    return file(args.a0) ? -EINVAL : -EBADF;
  if (!user_ok(args.a1, sizeof(ItimerSpec), ProtWrite))
    return -EFAULT;
  current(timer_of(*f), *reinterpret_cast<ItimerSpec *>(args.a1));
  return 0;
}

} // namespace uk
