// eventfd.cpp: eventfd counters, the wake-up signal of event loops (asio, libuv):
// writes add, a read takes the count (or one, as a semaphore) and waits while it is 0.
#include "file.h"

#include "uk/signal.h"
#include "uk/syscall.h"

#include <asm/fcntl.h>
#include <asm/poll.h>

namespace uk {
namespace {

constexpr uint64_t Max = ~0ull - 1; // the largest count
constexpr uint64_t Semaphore = 1;   // EFD_SEMAPHORE
constexpr unsigned Flags = Semaphore | O_CLOEXEC | O_NONBLOCK;

struct Counter {
  FileObject header;
  uint64_t count;
  int refs;
  bool semaphore;
};

Counter &counter_of(const File &f) { return *static_cast<Counter *>(f.object); }

long counter_read(File &f, char *buf, size_t len) {
  if (len < 8)
    return -EINVAL;
  Counter &c = counter_of(f);
  while (!c.count) {
    if (f.flags & O_NONBLOCK)
      return -EAGAIN;
    if (signal_pending())
      return -RestartSys;
    wait_for_files("eventfd read", 0);
  }
  uint64_t value = c.semaphore ? 1 : c.count;
  c.count -= value;
  memcpy(buf, &value, 8);
  files_changed(&c.header);
  return 8;
}

long counter_write(File &f, const char *buf, size_t len) {
  if (len < 8)
    return -EINVAL;
  uint64_t value;
  memcpy(&value, buf, 8);
  if (value > Max)
    return -EINVAL;
  Counter &c = counter_of(f);
  while (Max - c.count < value) {
    if (f.flags & O_NONBLOCK)
      return -EAGAIN;
    if (signal_pending())
      return -RestartSys;
    wait_for_files("eventfd write", 0);
  }
  c.count += value;
  files_changed(&c.header);
  return 8;
}

short counter_poll(const File &f) {
  const Counter &c = counter_of(f);
  return short((c.count ? POLLIN | POLLRDNORM : 0) |
               (c.count < Max ? POLLOUT | POLLWRNORM : 0));
}

void counter_retain(File &f) { ++counter_of(f).refs; }
void counter_release(File &f) {
  if (!--counter_of(f).refs)
    file_object_free(f.object);
}

const FileOps counter_ops = {.read = counter_read,
                             .write = counter_write,
                             .poll = counter_poll,
                             .retain = counter_retain,
                             .release = counter_release,
                             .mode = 0600}; // an anonymous inode, as on Linux

} // namespace

UK_SYSCALL(eventfd2) {
  if (args.a1 & ~uint64_t(Flags))
    return -EINVAL;
  auto *c = static_cast<Counter *>(file_object_alloc());
  if (!c)
    return -ENOMEM;
  *c = {c->header, uint32_t(args.a0), 1, bool(args.a1 & Semaphore)};
  long fd = install(
      {&counter_ops, c, 0, O_RDWR | unsigned(args.a1 & O_NONBLOCK), bool(args.a1 & O_CLOEXEC)});
  if (fd < 0)
    file_object_free(c);
  return fd;
}

UK_SYSCALL(eventfd) { return sys_eventfd2(args.a0, 0, 0, 0, 0, 0); }

} // namespace uk
