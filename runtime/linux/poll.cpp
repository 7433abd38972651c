// poll.cpp: waiting for descriptors to become ready: poll, ppoll, select, pselect6.
// A pipe is ready as its contents say; the console and devices are always ready (a
// console read then waits in the read itself, for the host's input).
#include "file.h"

#include "uk/sched.h"
#include "uk/signal.h"
#include "uk/syscall.h"
#include "uk/time.h"
#include "uk/vm.h"

#include <asm/fcntl.h>
#include <asm/poll.h>
#include <linux/time_types.h>

namespace uk {
namespace {

constexpr uint64_t MaxPollFds = 4096;
constexpr int64_t NoTimeout = INT64_MAX; // as a timeout in nanoseconds
constexpr uint64_t Forever = ~0ull;      // as a TSC deadline

struct PollFd {
  int fd;
  short events, revents;
};

/// What of Events (plus the errors always reported) descriptor Fd is ready for; the
/// time it becomes ready by itself lowers Wakeup.
short ready(int fd, short events, uint64_t &wakeup) {
  File *f = file(uint64_t(fd));
  if (!f)
    return POLLNVAL;
  if (f->ops->ready_at)
    wakeup = earlier(wakeup, f->ops->ready_at(*f));
  return ready_events(*f, events);
}

/// The TSC deadline Ns nanoseconds from now; 0 for "do not wait".
uint64_t deadline_after(int64_t ns) {
  if (ns == NoTimeout)
    return Forever;
  return ns ? tsc_at(monotonic_ns() + uint64_t(ns)) | 1 : 0;
}

bool expired(uint64_t deadline) {
  return deadline != Forever && (!deadline || rdtsc() >= deadline);
}

/// A timeout from the program as nanoseconds (NoTimeout for none), or -1 if invalid.
int64_t timeout_ns(uint64_t addr, bool timeval) {
  if (!addr)
    return NoTimeout;
  if (!user_ok(addr, 16, ProtRead))
    return -1;
  auto *t = reinterpret_cast<const int64_t *>(addr);
  int64_t unit = timeval ? 1000 : 1, limit = timeval ? 1000000 : 1000000000;
  if (t[0] < 0 || t[1] < 0 || t[1] >= limit)
    return -1;
  if (t[0] > 1000000000) // over 30 years: as good as forever
    return NoTimeout;
  return t[0] * 1000000000 + t[1] * unit;
}

/// Sleeps until a file changes, one becomes ready by itself (Wakeup), or Deadline.
void wait_for_change(const char *reason, uint64_t deadline, uint64_t wakeup) {
  wait_for_files(reason, earlier(deadline == Forever ? 0 : deadline, wakeup));
}

long do_poll(PollFd *fds, uint64_t count, uint64_t deadline) {
  for (;;) {
    long ready_count = 0;
    uint64_t wakeup = 0;
    for (uint64_t i = 0; i < count; ++i) {
      fds[i].revents = fds[i].fd < 0 ? 0 : ready(fds[i].fd, fds[i].events, wakeup);
      ready_count += fds[i].revents != 0;
    }
    if (ready_count || expired(deadline))
      return ready_count;
    if (signal_pending())
      return -EINTR; // never restarted, as on Linux
    wait_for_change("poll", deadline, wakeup);
  }
}

long poll_with(uint64_t fds, uint64_t count, int64_t ns) {
  if (count > MaxPollFds)
    return -EINVAL;
  if (ns < 0)
    return -EINVAL;
  if (!user_ok(fds, count * sizeof(PollFd), ProtRead | ProtWrite))
    return -EFAULT;
  return do_poll(reinterpret_cast<PollFd *>(fds), count, deadline_after(ns));
}

/// select and pselect6 on top of the same readiness, one descriptor set at a time.
long do_select(uint64_t nfds, uint64_t sets[3], int64_t ns) {
  constexpr short Wanted[3] = {POLLIN | POLLRDNORM | POLLHUP | POLLERR,
                               POLLOUT | POLLWRNORM | POLLERR, POLLPRI};
  if (nfds > 1024 || ns < 0)
    return -EINVAL;
  uint64_t words = (nfds + 63) / 64;
  uint64_t *in[3] = {};
  for (int s = 0; s < 3; ++s)
    if (sets[s]) {
      if (!user_ok(sets[s], words * 8, ProtRead | ProtWrite))
        return -EFAULT;
      in[s] = reinterpret_cast<uint64_t *>(sets[s]);
    }
  uint64_t deadline = deadline_after(ns);
  uint64_t asked[3][16] = {}, out[3][16];
  for (int s = 0; s < 3; ++s)
    for (uint64_t w = 0; in[s] && w < words; ++w)
      asked[s][w] = in[s][w] & (w == words - 1 && nfds % 64 ? (1ull << nfds % 64) - 1 : ~0ull);
  for (;;) {
    long total = 0;
    uint64_t wakeup = 0;
    for (int s = 0; s < 3; ++s)
      for (uint64_t w = 0; w < words; ++w) {
        out[s][w] = 0;
        for (uint64_t bits = asked[s][w]; bits; bits &= bits - 1) {
          int fd = int(w * 64 + uint64_t(__builtin_ctzll(bits)));
          short r = ready(fd, Wanted[s], wakeup);
          if (r & POLLNVAL)
            return -EBADF;
          if (r & Wanted[s]) {
            out[s][w] |= 1ull << (fd % 64);
            ++total;
          }
        }
      }
    if (total || expired(deadline)) {
      for (int s = 0; s < 3; ++s)
        for (uint64_t w = 0; in[s] && w < words; ++w)
          in[s][w] = out[s][w];
      return total;
    }
    if (signal_pending())
      return -EINTR;
    wait_for_change("select", deadline, wakeup);
  }
}

} // namespace

UK_SYSCALL(poll) {
  int timeout_ms = int(args.a2);
  int64_t ns = timeout_ms < 0 ? NoTimeout : int64_t(timeout_ms) * 1000000;
  return poll_with(args.a0, args.a1, ns);
}

UK_SYSCALL(ppoll) {
  // The signal mask (a3) matters only once signals are delivered.
  return poll_with(args.a0, args.a1, timeout_ns(args.a2, false));
}

UK_SYSCALL(select) {
  uint64_t sets[3] = {args.a1, args.a2, args.a3};
  return do_select(args.a0, sets, timeout_ns(args.a4, true));
}

UK_SYSCALL(pselect6) {
  uint64_t sets[3] = {args.a1, args.a2, args.a3};
  return do_select(args.a0, sets, timeout_ns(args.a4, false));
}

} // namespace uk
