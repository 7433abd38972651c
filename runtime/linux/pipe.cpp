// pipe.cpp: pipes within the program (between threads, or a thread and itself, as
// in the self-pipe trick), with Linux's own accounting, so that programs see the same
// capacity and readiness: 16 page-sized buffers, a small write appended to the last
// one when it fits, a larger one filling whole pages; writes of up to 4 KiB never
// split; EOF once every write end is closed, EPIPE and SIGPIPE once every read end is.
#include "file.h"
#include "uk/sched.h"
#include "uk/signal.h"

#include "uk/syscall.h"
#include "uk/vm.h"

#include <asm/fcntl.h>
#include <asm/ioctls.h>
#include <asm/poll.h>
#include <asm/siginfo.h>
#include <asm/signal.h>
#include <linux/stat.h>

namespace uk {

UK_SYSCALL_DECLARE(close);

namespace {

constexpr uint32_t Slots = 16; // Linux's default: 64 KiB

struct Buffer {
  uint8_t *page; // kept once allocated, for the next use of the slot
  uint16_t offset, len;
};

struct Pipe {
  FileObject header;
  Buffer slots[Slots];
  uint32_t head, tail;  // buffers filled and emptied since the pipe was made
  int readers, writers; // descriptors on each end
};

Pipe &pipe_of(const File &f) { return *static_cast<Pipe *>(f.object); }
bool reads(const File &f) { return (f.flags & O_ACCMODE) != O_WRONLY; }
bool writes(const File &f) { return (f.flags & O_ACCMODE) != O_RDONLY; }
bool empty(const Pipe &p) { return p.head == p.tail; }
bool full(const Pipe &p) { return p.head - p.tail >= Slots; }
Buffer &slot(Pipe &p, uint32_t n) { return p.slots[n % Slots]; }

long pipe_read(File &f, char *buf, size_t len) {
  Pipe &p = pipe_of(f);
  while (empty(p)) {
    if (!p.writers)
      return 0;
    if (f.flags & O_NONBLOCK)
      return -EAGAIN;
    if (signal_pending())
      return -RestartSys;
    wait_for_files("pipe read", 0);
  }
  size_t done = 0;
  while (done < len && !empty(p)) {
    Buffer &b = slot(p, p.tail);
    size_t n = b.len < len - done ? b.len : len - done;
    memcpy(buf + done, b.page + b.offset, n);
    b.offset = uint16_t(b.offset + n);
    b.len = uint16_t(b.len - n);
    done += n;
    if (!b.len)
      ++p.tail;
  }
  files_changed(&p.header);
  return long(done);
}

long broken_pipe() {
  // Its default action ends the program on the way out of this call.
  send_signal(SIGPIPE, current_thread(), {SIGPIPE, 0, SI_USER, 0, 1, 0});
  return -EPIPE;
}

long pipe_write(File &f, const char *buf, size_t len) {
  Pipe &p = pipe_of(f);
  if (!p.readers)
    return broken_pipe();
  size_t done = 0;
  // The part beyond whole pages goes at the end of the last buffer if it fits there.
  size_t partial = len % PageSize;
  if (partial && !empty(p)) {
    Buffer &last = slot(p, p.head - 1);
    if (last.offset + last.len + partial <= PageSize) {
      memcpy(last.page + last.offset + last.len, buf, partial);
      last.len = uint16_t(last.len + partial);
      done = partial;
    }
  }
  while (done < len) {
    if (!p.readers)
      return done ? long(done) : broken_pipe();
    if (full(p)) {
      if (f.flags & O_NONBLOCK)
        return done ? long(done) : -EAGAIN;
      if (signal_pending())
        return done ? long(done) : -RestartSys;
      files_changed(&p.header); // what is written so far can be read meanwhile
      wait_for_files("pipe write", 0);
      continue;
    }
    Buffer &b = slot(p, p.head);
    if (!b.page && !(b.page = static_cast<uint8_t *>(file_object_alloc())))
      return done ? long(done) : -ENOMEM;
    size_t n = len - done < PageSize ? len - done : PageSize;
    memcpy(b.page, buf + done, n);
    b.offset = 0;
    b.len = uint16_t(n);
    ++p.head;
    done += n;
  }
  files_changed(&p.header);
  return long(done);
}

short pipe_poll(const File &f) {
  Pipe &p = pipe_of(f);
  short events = 0;
  if (reads(f)) {
    if (!empty(p))
      events |= POLLIN | POLLRDNORM;
    if (!p.writers)
      events |= POLLHUP;
  }
  if (writes(f)) {
    if (!full(p))
      events |= POLLOUT | POLLWRNORM;
    if (!p.readers)
      events |= POLLERR;
  }
  return events;
}

long pipe_ioctl(File &f, unsigned request, uint64_t arg) {
  if (request != FIONREAD)
    return -ENOTTY;
  if (!user_ok(arg, sizeof(int), ProtWrite))
    return -EFAULT;
  Pipe &p = pipe_of(f);
  int bytes = 0;
  for (uint32_t n = p.tail; n != p.head; ++n)
    bytes += slot(p, n).len;
  *reinterpret_cast<int *>(arg) = bytes;
  return 0;
}

void pipe_retain(File &f) {
  Pipe &p = pipe_of(f);
  p.readers += reads(f);
  p.writers += writes(f);
}

void pipe_release(File &f) {
  Pipe &p = pipe_of(f);
  p.readers -= reads(f);
  p.writers -= writes(f);
  files_changed(&p.header); // a reader may now see the end, a writer a broken pipe
  if (p.readers || p.writers)
    return;
  for (const Buffer &b : p.slots)
    if (b.page)
      file_object_free(b.page);
  file_object_free(&p);
}

const FileOps pipe_ops = {.read = pipe_read,
                          .write = pipe_write,
                          .poll = pipe_poll,
                          .ioctl = pipe_ioctl,
                          .retain = pipe_retain,
                          .release = pipe_release,
                          .mode = S_IFIFO | 0600};

} // namespace

UK_SYSCALL(pipe2) {
  if (args.a1 & ~uint64_t(O_CLOEXEC | O_NONBLOCK))
    return -EINVAL; // O_DIRECT (packet mode) and the rest
  if (!user_ok(args.a0, 2 * sizeof(int), ProtWrite))
    return -EFAULT;
  auto *p = static_cast<Pipe *>(file_object_alloc()); // zeroed
  if (!p)
    return -ENFILE;
  unsigned nonblock = args.a1 & O_NONBLOCK;
  bool cloexec = args.a1 & O_CLOEXEC;
  File ends[2] = {{&pipe_ops, p, 0, O_RDONLY | nonblock, cloexec},
                  {&pipe_ops, p, 0, O_WRONLY | nonblock, cloexec}};
  long fds[2] = {install(ends[0]), -1};
  if (fds[0] >= 0)
    pipe_retain(ends[0]);
  if (fds[0] >= 0 && (fds[1] = install(ends[1])) >= 0)
    pipe_retain(ends[1]);
  if (fds[1] < 0) {
    if (fds[0] >= 0)
      sys_close(uint64_t(fds[0]), 0, 0, 0, 0, 0); // frees the pipe
    else
      file_object_free(p);
    return -EMFILE;
  }
  auto *out = reinterpret_cast<int *>(args.a0);
  out[0] = int(fds[0]);
  out[1] = int(fds[1]);
  return 0;
}

UK_SYSCALL(pipe) { return sys_pipe2(args.a0, 0, 0, 0, 0, 0); }

} // namespace uk
