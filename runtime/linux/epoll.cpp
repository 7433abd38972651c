// epoll.cpp: epoll instances over the same readiness as poll: level-triggered by
// default; edge-triggered (EPOLLET) reports only events that were not ready when last
// looked at; EPOLLONESHOT disarms an entry once reported. An entry leaves when its
// descriptor is closed (or reused for another file), as Linux's do when the file goes.
#include "file.h"

#include "uk/memory.h"
#include "uk/paging.h"
#include "uk/signal.h"
#include "uk/syscall.h"
#include "uk/time.h"
#include "uk/vm.h"

#include <asm/fcntl.h>
#include <asm/poll.h>
#include <linux/eventpoll.h>
#include <linux/time_types.h>

namespace uk {
namespace {

struct Entry {
  int fd;
  uint32_t events; // what the program asked for, EPOLLET/EPOLLONESHOT included
  uint64_t data;   // given back with each event
  void *object;    // the file the entry was made for (see above): its address,
  const FileOps *ops;
  uint32_t serial;  // and its serial, which a new file at that address does not share
  uint32_t seen;    // for EPOLLET: the events ready when last looked at,
  uint32_t changes; // and how many changes the file had had then
};

// An instance fills one page, with room for about a hundred descriptors; a server
// with more connections moves its entries to a 2 MiB chunk (some 50,000).
constexpr int InlineEntries = int((4096 - 32) / sizeof(Entry));
constexpr int ChunkEntries = int(LargePageSize / sizeof(Entry));
constexpr uint32_t Modes = EPOLLET | EPOLLONESHOT | EPOLLWAKEUP | EPOLLEXCLUSIVE;

struct Epoll {
  FileObject header;
  int refs, count;
  int next; // where the next scan starts, so that every entry gets its turn
  int capacity;
  Entry *entries; // inline_entries, or a chunk once they are full
  Entry inline_entries[InlineEntries];
};
static_assert(sizeof(Epoll) <= 4096);

/// Room for one more entry: false if there is none (ENOSPC) or no memory.
bool make_room(Epoll &ep) {
  if (ep.count < ep.capacity)
    return true;
  if (ep.capacity == ChunkEntries)
    return false;
  uint64_t chunk = chunk_alloc();
  if (!chunk)
    return false;
  auto *entries = static_cast<Entry *>(phys_to_virt(chunk));
  memcpy(entries, ep.entries, size_t(ep.count) * sizeof(Entry));
  ep.entries = entries;
  ep.capacity = ChunkEntries;
  return true;
}

struct Event {
  uint32_t events;
  uint64_t data;
} __attribute__((packed)); // struct epoll_event on x86-64

Epoll &epoll_of(const File &f) { return *static_cast<Epoll *>(f.object); }

uint32_t changes_of(const File &f) {
  return f.object ? static_cast<const FileObject *>(f.object)->changes : 0;
}

uint32_t serial_of(const File &f) {
  return f.object ? static_cast<const FileObject *>(f.object)->serial : 0;
}

/// The file entry E was made for, or null if its descriptor was closed (or reused,
/// even by a new file in the freed one's memory).
File *file_of(const Entry &e) {
  File *f = file(uint64_t(e.fd));
  return f && f->object == e.object && f->ops == e.ops && serial_of(*f) == e.serial ? f
                                                                                    : nullptr;
}

/// The events of E due now from its file F: for EPOLLET, those ready if the file
/// changed since last seen, else those not ready then. Lowers Wakeup to when F
/// becomes ready by itself.
uint32_t due_events(const Entry &e, const File &f, uint32_t &ready, uint64_t &wakeup) {
  if (f.ops->ready_at)
    wakeup = earlier(wakeup, f.ops->ready_at(f));
  ready = uint16_t(ready_events(f, short(e.events & ~Modes)));
  if (!(e.events & ~Modes))
    return 0; // a one-shot entry already reported, until EPOLL_CTL_MOD
  if (!(e.events & EPOLLET))
    return ready;
  return changes_of(f) != e.changes ? ready : ready & ~e.seen;
}

/// Forgets the entries whose descriptors were closed.
void prune(Epoll &ep) {
  for (int i = ep.count; i-- > 0;)
    if (!file_of(ep.entries[i]))
      ep.entries[i] = ep.entries[--ep.count];
}

/// Takes up to Max due events into Out, starting after where the last call stopped.
int collect(Epoll &ep, Event *out, int max, uint64_t &wakeup) {
  prune(ep);
  int found = 0, start = ep.next;
  for (int scanned = 0; scanned < ep.count && found < max; ++scanned) {
    int i = (start + scanned) % ep.count;
    Entry &e = ep.entries[i];
    uint32_t ready;
    const File &f = *file_of(e);
    uint32_t due = due_events(e, f, ready, wakeup);
    e.seen = ready;
    e.changes = changes_of(f);
    if (!due)
      continue;
    out[found++] = {due, e.data};
    if (e.events & EPOLLONESHOT)
      e.events &= Modes;
    ep.next = (i + 1) % ep.count;
  }
  return found;
}

short epoll_poll(const File &f) {
  // Looking does not take edge-triggered events: nothing is updated.
  const Epoll &ep = epoll_of(f);
  uint64_t wakeup = 0;
  for (int i = 0; i < ep.count; ++i) {
    uint32_t ready;
    const File *target = file_of(ep.entries[i]);
    if (target && due_events(ep.entries[i], *target, ready, wakeup))
      return POLLIN | POLLRDNORM;
  }
  return 0;
}

uint64_t epoll_ready_at(const File &f) {
  const Epoll &ep = epoll_of(f);
  uint64_t wakeup = 0;
  for (int i = 0; i < ep.count; ++i)
    if (const File *target = file_of(ep.entries[i]); target && target->ops->ready_at)
      wakeup = earlier(wakeup, target->ops->ready_at(*target));
  return wakeup;
}

void epoll_retain(File &f) { ++epoll_of(f).refs; }
void epoll_release(File &f) {
  Epoll &ep = epoll_of(f);
  if (--ep.refs)
    return;
  if (ep.entries != ep.inline_entries)
    chunk_free(reinterpret_cast<uint64_t>(ep.entries) - DirectMapBase);
  file_object_free(f.object);
}

const FileOps epoll_ops = {.poll = epoll_poll,
                           .ready_at = epoll_ready_at,
                           .retain = epoll_retain,
                           .release = epoll_release,
                           .mode = 0600};

Epoll *epoll_file(uint64_t fd, long &error) {
  File *f = file(fd);
  error = !f ? -EBADF : f->ops != &epoll_ops ? -EINVAL : 0;
  return error ? nullptr : &epoll_of(*f);
}

long wait(uint64_t epfd, uint64_t events, uint64_t max, int64_t timeout_ns) {
  long error;
  Epoll *ep = epoll_file(epfd, error);
  if (!ep)
    return error;
  if (int64_t(max) <= 0 || max > uint64_t(INT32_MAX) / sizeof(Event))
    return -EINVAL;
  if (!user_ok(events, max * sizeof(Event), ProtWrite))
    return -EFAULT;
  uint64_t deadline = timeout_ns < 0 ? 0 : tsc_at(monotonic_ns() + uint64_t(timeout_ns)) | 1;
  for (;;) {
    uint64_t wakeup = 0;
    int found = collect(*ep, reinterpret_cast<Event *>(events), int(max), wakeup);
    if (found || timeout_ns == 0 || (deadline && rdtsc() >= deadline))
      return found;
    if (signal_pending())
      return -EINTR; // never restarted, as on Linux
    wait_for_files("epoll_wait", earlier(deadline, wakeup));
  }
}

} // namespace

UK_SYSCALL(epoll_create1) {
  if (args.a0 & ~uint64_t(O_CLOEXEC))
    return -EINVAL;
  auto *ep = static_cast<Epoll *>(file_object_alloc());
  if (!ep)
    return -ENOMEM;
  ep->refs = 1;
  ep->entries = ep->inline_entries;
  ep->capacity = InlineEntries;
  long fd = install({&epoll_ops, ep, 0, O_RDONLY, bool(args.a0 & O_CLOEXEC)});
  if (fd < 0)
    file_object_free(ep);
  return fd;
}

UK_SYSCALL(epoll_create) {
  return int64_t(args.a0) <= 0 ? -EINVAL : sys_epoll_create1(0, 0, 0, 0, 0, 0);
}

UK_SYSCALL(epoll_ctl) {
  long error;
  Epoll *ep = epoll_file(args.a0, error);
  if (!ep)
    return error;
  int op = int(args.a1), fd = int(args.a2);
  File *target = file(args.a2);
  if (!target)
    return -EBADF;
  if (target->ops == &epoll_ops && &epoll_of(*target) == ep)
    return -EINVAL;
  if (target->ops->pread || target->ops->getdents)
    return -EPERM; // a file or folder of a file system: always ready, as Linux says
  Event event = {};
  if (op != EPOLL_CTL_DEL) {
    if (!user_ok(args.a3, sizeof(Event), ProtRead))
      return -EFAULT;
    memcpy(&event, reinterpret_cast<const void *>(args.a3), sizeof event);
  }
  prune(*ep);
  int at = -1;
  for (int i = 0; i < ep->count; ++i)
    if (ep->entries[i].fd == fd)
      at = i;
  switch (op) {
  case EPOLL_CTL_ADD:
    if (at >= 0)
      return -EEXIST;
    if (!make_room(*ep))
      return ep->capacity == ChunkEntries ? -ENOSPC : -ENOMEM;
    ep->entries[ep->count++] = {fd,          event.events | EPOLLERR | EPOLLHUP,
                                event.data,  target->object,
                                target->ops, serial_of(*target),
                                0,           changes_of(*target) - 1}; // as if just changed
    break;
  case EPOLL_CTL_MOD:
    if (at < 0)
      return -ENOENT;
    ep->entries[at].events = event.events | EPOLLERR | EPOLLHUP;
    ep->entries[at].data = event.data;
    ep->entries[at].seen = 0;
    ep->entries[at].changes = changes_of(*target) - 1;
    break;
  case EPOLL_CTL_DEL:
    if (at < 0)
      return -ENOENT;
    ep->entries[at] = ep->entries[--ep->count];
    break;
  default:
    return -EINVAL;
  }
  files_changed(&ep->header); // an epoll instance being polled may be ready now
  return 0;
}

UK_SYSCALL(epoll_wait) {
  int timeout_ms = int(args.a3);
  return wait(args.a0, args.a1, args.a2, timeout_ms < 0 ? -1 : int64_t(timeout_ms) * 1000000);
}

UK_SYSCALL(epoll_pwait) {
  // The signal mask (a4) matters only once signals are delivered.
  return sys_epoll_wait(args.a0, args.a1, args.a2, args.a3, 0, 0);
}

UK_SYSCALL(epoll_pwait2) {
  int64_t ns = -1;
  if (args.a3) {
    if (!user_ok(args.a3, sizeof(__kernel_timespec), ProtRead))
      return -EFAULT;
    auto *ts = reinterpret_cast<const __kernel_timespec *>(args.a3);
    if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000)
      return -EINVAL;
    ns = ts->tv_sec > 1000000000 ? -1 : ts->tv_sec * 1000000000 + ts->tv_nsec;
  }
  return wait(args.a0, args.a1, args.a2, ns);
}

} // namespace uk
