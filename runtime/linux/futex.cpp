// futex.cpp: futexes: wait queues keyed by address, with timeouts on the right
// clocks, bitsets, requeueing and WAKE_OP. The kernel is never preempted and runs on
// one CPU, so "compare the value, then sleep" is atomic as Linux requires.
#include "uk/sched.h"
#include "uk/syscall.h"
#include "uk/time.h"
#include "uk/vm.h"

#include <linux/futex.h>
#include <linux/time_types.h>

namespace uk {
namespace {

constexpr int Buckets = 64;
Thread *buckets[Buckets]; // singly linked through Thread::wait_next, oldest first

Thread *&bucket(uint64_t address) { return buckets[(address >> 2) % Buckets]; }

void enqueue_waiter(Thread *t) {
  Thread **at = &bucket(t->wait_address);
  while (*at)
    at = &(*at)->wait_next;
  t->wait_next = nullptr;
  *at = t;
}

/// Takes T off the queue of Address; false if it was not on it (it was woken).
bool remove_waiter(Thread *t, uint64_t address) {
  for (Thread **at = &bucket(address); *at; at = &(*at)->wait_next)
    if (*at == t) {
      *at = t->wait_next;
      t->wait_next = nullptr;
      return true;
    }
  return false;
}

/// Wakes up to Count waiters on Address whose bitset meets Bitset.
int wake_waiters(uint64_t address, int count, uint32_t bitset) {
  int woken = 0;
  for (Thread **at = &bucket(address); *at && woken < count;) {
    Thread *t = *at;
    if (t->wait_address == address && (t->wait_bitset & bitset)) {
      *at = t->wait_next;
      t->wait_next = nullptr;
      wake(t);
      ++woken;
    } else {
      at = &t->wait_next;
    }
  }
  return woken;
}

/// Moves up to Count waiters on From to To.
int requeue_waiters(uint64_t from, uint64_t to, int count) {
  int moved = 0;
  for (Thread **at = &bucket(from); *at && moved < count;) {
    Thread *t = *at;
    if (t->wait_address == from) {
      *at = t->wait_next;
      t->wait_address = to;
      enqueue_waiter(t);
      ++moved;
    } else {
      at = &t->wait_next;
    }
  }
  return moved;
}

/// The TSC deadline of a futex timeout, or 0 for none; -1 if it cannot be read.
int64_t deadline_of(uint64_t timeout, bool absolute, bool realtime) {
  if (!timeout)
    return 0;
  if (!user_ok(timeout, sizeof(__kernel_timespec), ProtRead))
    return -1;
  auto *ts = reinterpret_cast<const __kernel_timespec *>(timeout);
  if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000)
    return -2;
  int64_t ns = ts->tv_sec > INT64_MAX / 1000000000 - 1 ? INT64_MAX / 2
                                                       : ts->tv_sec * 1000000000 + ts->tv_nsec;
  int64_t now = realtime ? realtime_ns() : int64_t(monotonic_ns());
  int64_t wait = absolute ? ns - now : ns;
  if (wait < 0)
    wait = 0;
  return int64_t(tsc_at(monotonic_ns() + uint64_t(wait)) | 1); // never 0: that means none
}

long wait(uint64_t address, uint32_t value, int64_t deadline, uint32_t bitset) {
  if (!user_ok(address, 4, ProtRead) || address % 4)
    return address % 4 ? -EINVAL : -EFAULT;
  if (deadline < 0)
    return deadline == -1 ? -EFAULT : -EINVAL;
  if (!bitset)
    return -EINVAL;
  if (*reinterpret_cast<volatile uint32_t *>(address) != value)
    return -EAGAIN;
  Thread *t = current_thread();
  t->wait_address = address;
  t->wait_bitset = bitset;
  enqueue_waiter(t);
  block("futex wait", uint64_t(deadline));
  // Woken, it left the queue. Timed out or interrupted by a signal, it is still on it
  // (on another address if a requeue moved it).
  bool still_queued = remove_waiter(t, t->wait_address);
  t->wait_address = 0;
  if (!still_queued)
    return 0;
  return t->timed_out ? -ETIMEDOUT : -EINTR;
}

/// FUTEX_WAKE_OP: *Address2 = op(*Address2); wake on Address; and on Address2 if the
/// old value passes the comparison.
long wake_op(uint64_t address, int count, uint64_t address2, int count2, uint32_t op) {
  if (!user_ok(address2, 4, ProtRead | ProtWrite) || address2 % 4)
    return -EFAULT;
  uint32_t kind = (op >> 28) & 7, cmp = (op >> 24) & 15;
  uint32_t oparg = (op >> 12) & 0xfff, cmparg = op & 0xfff;
  if (op & (FUTEX_OP_OPARG_SHIFT << 28))
    oparg = 1u << (oparg & 31);
  auto *word = reinterpret_cast<volatile uint32_t *>(address2);
  uint32_t old = *word;
  switch (kind) {
  case FUTEX_OP_SET:
    *word = oparg;
    break;
  case FUTEX_OP_ADD:
    *word = old + oparg;
    break;
  case FUTEX_OP_OR:
    *word = old | oparg;
    break;
  case FUTEX_OP_ANDN:
    *word = old & ~oparg;
    break;
  case FUTEX_OP_XOR:
    *word = old ^ oparg;
    break;
  default:
    return -ENOSYS;
  }
  int woken = wake_waiters(address, count, FUTEX_BITSET_MATCH_ANY);
  bool pass;
  int32_t o = int32_t(old), a = int32_t(cmparg);
  switch (cmp) {
  case FUTEX_OP_CMP_EQ:
    pass = o == a;
    break;
  case FUTEX_OP_CMP_NE:
    pass = o != a;
    break;
  case FUTEX_OP_CMP_LT:
    pass = o < a;
    break;
  case FUTEX_OP_CMP_LE:
    pass = o <= a;
    break;
  case FUTEX_OP_CMP_GT:
    pass = o > a;
    break;
  case FUTEX_OP_CMP_GE:
    pass = o >= a;
    break;
  default:
    return -ENOSYS;
  }
  if (pass)
    woken += wake_waiters(address2, count2, FUTEX_BITSET_MATCH_ANY);
  return woken;
}

} // namespace

/// Used by thread exit (CLONE_CHILD_CLEARTID): wakes one waiter on Address.
int futex_wake(uint64_t address, int count) {
  return wake_waiters(address, count, FUTEX_BITSET_MATCH_ANY);
}

UK_SYSCALL(futex) {
  uint64_t address = args.a0, op = args.a1 & FUTEX_CMD_MASK;
  bool realtime = args.a1 & FUTEX_CLOCK_REALTIME;
  uint32_t value = uint32_t(args.a2);
  // The fourth argument is a timeout for the waits and a count for the requeues.
  int count2 = int(args.a3 > INT32_MAX ? INT32_MAX : args.a3);
  int count = int(value > INT32_MAX ? INT32_MAX : value);
  switch (op) {
  case FUTEX_WAIT:
    if (realtime)
      return -ENOSYS; // as Linux: FUTEX_CLOCK_REALTIME only with the bitset wait
    return wait(address, value, deadline_of(args.a3, false, false), FUTEX_BITSET_MATCH_ANY);
  case FUTEX_WAIT_BITSET:
    return wait(address, value, deadline_of(args.a3, true, realtime), uint32_t(args.a5));
  case FUTEX_WAKE:
    return wake_waiters(address, count, FUTEX_BITSET_MATCH_ANY);
  case FUTEX_WAKE_BITSET:
    return uint32_t(args.a5) ? wake_waiters(address, count, uint32_t(args.a5)) : -EINVAL;
  case FUTEX_CMP_REQUEUE:
    if (!user_ok(address, 4, ProtRead))
      return -EFAULT;
    if (*reinterpret_cast<volatile uint32_t *>(address) != uint32_t(args.a5))
      return -EAGAIN;
    [[fallthrough]];
  case FUTEX_REQUEUE: {
    int woken = wake_waiters(address, count, FUTEX_BITSET_MATCH_ANY);
    return woken + requeue_waiters(address, args.a4, count2);
  }
  case FUTEX_WAKE_OP:
    return wake_op(address, count, args.a4, count2, uint32_t(args.a5));
  default:
    return -ENOSYS;
  }
}

} // namespace uk
