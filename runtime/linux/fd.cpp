// fd.cpp: the descriptor table and the calls on descriptors whatever their file:
// read/write and their vector and positional forms, close, dup, fcntl, fstat, ioctl.
#include "file.h"
#include "vfs.h"

#include "uk/memory.h"
#include "uk/paging.h"
#include "uk/sched.h"
#include "uk/syscall.h"
#include "uk/vm.h"

#include <asm/fcntl.h>
#include <asm/ioctls.h>
#include <asm/poll.h>
#include <asm/stat.h>
#include <asm/termbits.h>
#include <linux/fcntl.h>
#include <linux/stat.h>

namespace uk {
namespace {

constexpr int MaxFiles = 256;
// The console is open on fds 0, 1 and 2 when the program starts.
File files[MaxFiles] = {
    {&console_ops, nullptr, 0, O_RDONLY, false},
    {&console_ops, nullptr, 1, O_WRONLY, false},
    {&console_ops, nullptr, 2, O_WRONLY, false},
};
WaitQueue file_waiters;

long allocate(int from) {
  for (int fd = from; fd < MaxFiles; ++fd)
    if (!files[fd].ops)
      return fd;
  return -EMFILE;
}

/// Drops descriptor Fd's reference to its file.
void release(int fd) {
  File f = files[fd];
  files[fd] = {};
  if (f.ops && f.ops->release)
    f.ops->release(f);
}

/// Makes descriptor To refer to From's file (closing what To had).
long duplicate(const File &from, int to, bool cloexec) {
  File copy = from;
  copy.cloexec = cloexec;
  if (copy.ops->retain)
    copy.ops->retain(copy);
  release(to);
  files[to] = copy;
  return to;
}

bool is_pipe(const File &f) { return (f.ops->mode & S_IFMT) == S_IFIFO; }
bool can_seek(const File &f) { return f.ops != &console_ops && !is_pipe(f); }

bool readable(const File &f) { return (f.flags & O_ACCMODE) != O_WRONLY; }
bool writable(const File &f) { return (f.flags & O_ACCMODE) != O_RDONLY; }

/// read, write, pread64 and pwrite64: the same checks, then the file's operation.
/// Files without offsets (devices) take the positional forms as the plain ones.
long transfer(uint64_t fd, uint64_t buf, uint64_t len, bool write, bool positional,
              int64_t offset) {
  File *f = file(fd);
  if (!f || !(write ? writable(*f) : readable(*f)))
    return -EBADF;
  if (positional && !can_seek(*f))
    return -ESPIPE;
  if (positional && offset < 0)
    return -EINVAL;
  if (f->ops->getdents)
    return -EISDIR;
  if (!(write ? f->ops->write != nullptr : f->ops->read != nullptr))
    return -EINVAL; // an epoll instance
  if (!user_ok(buf, len, write ? ProtRead : ProtWrite))
    return -EFAULT;
  if (positional && !write && f->ops->pread)
    return f->ops->pread(*f, reinterpret_cast<char *>(buf), len, uint64_t(offset));
  if (positional && write && f->ops->pwrite)
    return f->ops->pwrite(*f, reinterpret_cast<const char *>(buf), len, uint64_t(offset));
  return write ? f->ops->write(*f, reinterpret_cast<const char *>(buf), len)
               : f->ops->read(*f, reinterpret_cast<char *>(buf), len);
}

/// fcntl's record locks. Locks of one process never conflict with each other, and
/// there is one process: setting a lock always succeeds and F_GETLK truthfully finds
/// none in the way (SQLite relies on that answer). The arguments are checked as Linux
/// does.
long record_lock(const File &f, int command, uint64_t arg) {
  struct RecordLock { // struct flock
    int16_t type, whence;
    int64_t start, len;
    int32_t pid;
  };
  constexpr int16_t ReadLock = 0, WriteLock = 1, Unlock = 2; // F_RDLCK, F_WRLCK, F_UNLCK
  if (!user_ok(arg, sizeof(RecordLock), command == F_GETLK ? ProtRead | ProtWrite : ProtRead))
    return -EFAULT;
  auto *lock = reinterpret_cast<RecordLock *>(arg);
  if (lock->type != ReadLock && lock->type != WriteLock && lock->type != Unlock)
    return -EINVAL;
  if (lock->whence < 0 || lock->whence > 2)
    return -EINVAL;
  if (command == F_GETLK) {
    if (lock->type == Unlock)
      return -EINVAL;
    lock->type = Unlock;
    return 0;
  }
  if ((lock->type == ReadLock && !readable(f)) || (lock->type == WriteLock && !writable(f)))
    return -EBADF;
  return 0;
}

struct IoVec {
  uint64_t base, len;
};

/// readv/writev: each vector in turn. Small writes are gathered into one buffer so
/// that a console write costs one exit, and a pipe write stays atomic.
long vector_io(const SyscallArgs &args, bool write) {
  File *f = file(args.a0);
  if (!f || !(write ? writable(*f) : readable(*f)))
    return -EBADF;
  if (f->ops->getdents)
    return -EISDIR;
  if (!(write ? f->ops->write != nullptr : f->ops->read != nullptr))
    return -EINVAL;
  uint64_t count = args.a2;
  if (count > 1024)
    return -EINVAL;
  if (!user_ok(args.a1, count * sizeof(IoVec), ProtRead))
    return -EFAULT;
  auto *iov = reinterpret_cast<const IoVec *>(args.a1);
  uint64_t total = 0;
  for (uint64_t i = 0; i < count; ++i) {
    if (!user_ok(iov[i].base, iov[i].len, write ? ProtRead : ProtWrite))
      return -EFAULT;
    total += iov[i].len;
  }
  static char gather[4096];
  if (write && count > 1 && total <= sizeof gather) {
    uint64_t at = 0;
    for (uint64_t i = 0; i < count; ++i) {
      memcpy(gather + at, reinterpret_cast<const void *>(iov[i].base), iov[i].len);
      at += iov[i].len;
    }
    return f->ops->write(*f, gather, total);
  }
  long done = 0;
  for (uint64_t i = 0; i < count; ++i) {
    if (!iov[i].len)
      continue;
    long n = write ? f->ops->write(*f, reinterpret_cast<const char *>(iov[i].base), iov[i].len)
                   : f->ops->read(*f, reinterpret_cast<char *>(iov[i].base), iov[i].len);
    if (n < 0)
      return done ? done : n;
    done += n;
    if (uint64_t(n) < iov[i].len)
      break;
  }
  return done;
}

} // namespace

File *file(uint64_t fd) {
  if (fd >= MaxFiles || !files[fd].ops)
    return nullptr;
  return &files[fd];
}

long install(const File &f) {
  long fd = allocate(0);
  if (fd >= 0)
    files[fd] = f;
  return fd;
}

short ready_events(const File &f, short events) {
  short now = 0;
  if (f.ops->poll)
    now = f.ops->poll(f);
  else
    now = short((readable(f) ? POLLIN | POLLRDNORM : 0) |
                (writable(f) ? POLLOUT | POLLWRNORM : 0));
  return short(now & (events | POLLHUP | POLLERR));
}

void *file_object_alloc() {
  static uint32_t serials;
  uint64_t phys = frame_alloc();
  if (!phys)
    return nullptr;
  auto *object = static_cast<FileObject *>(phys_to_virt(phys));
  object->serial = ++serials;
  return object;
}

void file_object_free(void *object) {
  frame_free(reinterpret_cast<uint64_t>(object) - DirectMapBase);
}

void files_changed(FileObject *changed) {
  if (changed)
    ++changed->changes;
  wake_all(file_waiters);
}

bool wait_for_files(const char *reason, uint64_t deadline) {
  wait_on(file_waiters, reason, deadline);
  return !current_thread()->timed_out;
}

UK_SYSCALL(read) { return transfer(args.a0, args.a1, args.a2, false, false, 0); }
UK_SYSCALL(write) { return transfer(args.a0, args.a1, args.a2, true, false, 0); }
UK_SYSCALL(pread64) {
  return transfer(args.a0, args.a1, args.a2, false, true, int64_t(args.a3));
}
UK_SYSCALL(pwrite64) {
  return transfer(args.a0, args.a1, args.a2, true, true, int64_t(args.a3));
}
UK_SYSCALL(writev) { return vector_io(args, true); }
UK_SYSCALL(readv) { return vector_io(args, false); }

UK_SYSCALL(close) {
  if (!file(args.a0))
    return -EBADF;
  release(int(args.a0));
  return 0;
}

UK_SYSCALL(lseek) {
  File *f = file(args.a0);
  if (!f)
    return -EBADF;
  if (!can_seek(*f))
    return -ESPIPE;
  if (f->ops->seek)
    return f->ops->seek(*f, int64_t(args.a1), int(args.a2));
  return 0; // devices: every offset is the start
}

UK_SYSCALL(fadvise64) {
  File *f = file(args.a0);
  if (!f)
    return -EBADF;
  if (!can_seek(*f))
    return -ESPIPE;
  return args.a3 <= 5 ? 0 : -EINVAL; // POSIX_FADV_NORMAL ... NOREUSE: advice only
}

UK_SYSCALL(ftruncate) {
  File *f = file(args.a0);
  if (!f)
    return -EBADF;
  if (!writable(*f) || !f->ops->truncate || int64_t(args.a1) < 0)
    return -EINVAL;
  return f->ops->truncate(*f, args.a1);
}

UK_SYSCALL(fallocate) {
  File *f = file(args.a0);
  int64_t offset = int64_t(args.a2), len = int64_t(args.a3);
  if (!f)
    return -EBADF;
  int64_t end;
  if (offset < 0 || len <= 0 || __builtin_add_overflow(offset, len, &end))
    return -EINVAL;
  if (args.a1)
    return -EOPNOTSUPP; // KEEP_SIZE, PUNCH_HOLE...: not yet
  if (!writable(*f))
    return -EBADF;
  if (!f->ops->truncate)
    return -ENODEV;
  struct stat st;
  fill_stat(*f, &st);
  // Memory is not reserved ahead: growing the size is what a program can observe.
  return end > st.st_size ? f->ops->truncate(*f, uint64_t(end)) : 0;
}

// Files in memory or read-only have nothing to wait for; a volume's reach the host's
// fsync or fdatasync.
long sync_file(uint64_t fd, bool data_only) {
  File *f = file(fd);
  if (!f)
    return -EBADF;
  Node n;
  if (!file_node(*f, n) || !n.fs->sync)
    return 0;
  return n.fs->sync(*static_cast<OpenFile *>(f->object), data_only);
}
UK_SYSCALL(fsync) { return sync_file(args.a0, false); }
UK_SYSCALL(fdatasync) { return sync_file(args.a0, true); }
UK_SYSCALL(syncfs) {
  File *f = file(args.a0);
  if (!f)
    return -EBADF;
  Node n;
  return file_node(*f, n) ? sync_open_files(n.fs) : 0;
}
UK_SYSCALL(sync) {
  sync_open_files(nullptr);
  return 0;
}

UK_SYSCALL(fstat) {
  File *f = file(args.a0);
  if (!f)
    return -EBADF;
  if (!user_ok(args.a1, sizeof(struct stat), ProtWrite))
    return -EFAULT;
  fill_stat(*f, reinterpret_cast<struct stat *>(args.a1));
  return 0;
}

UK_SYSCALL(ioctl) {
  File *f = file(args.a0);
  if (!f)
    return -EBADF;
  bool tty = f->ops == &console_ops && console_is_tty(*f);
  switch (args.a1) {
  case TCGETS: {
    if (!tty)
      return -ENOTTY;
    if (!user_ok(args.a2, sizeof(termios), ProtWrite))
      return -EFAULT;
    auto *t = reinterpret_cast<termios *>(args.a2);
    memset(t, 0, sizeof *t);
    t->c_iflag = ICRNL | IXON;
    t->c_oflag = OPOST | ONLCR;
    t->c_cflag = B38400 | CS8 | CREAD;
    t->c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | IEXTEN;
    return 0;
  }
  case TIOCGWINSZ: {
    if (!tty)
      return -ENOTTY;
    if (!user_ok(args.a2, 8, ProtWrite))
      return -EFAULT;
    auto *ws = reinterpret_cast<uint16_t *>(args.a2);
    ws[0] = 24; // rows
    ws[1] = 80; // columns
    ws[2] = ws[3] = 0;
    return 0;
  }
  case FIONBIO:
    if (!user_ok(args.a2, 4, ProtRead))
      return -EFAULT;
    if (*reinterpret_cast<const int *>(args.a2))
      f->flags |= O_NONBLOCK;
    else
      f->flags &= ~unsigned(O_NONBLOCK);
    return 0;
  case FIOCLEX:
  case FIONCLEX:
    f->cloexec = args.a1 == FIOCLEX;
    return 0;
  default:
    return f->ops->ioctl ? f->ops->ioctl(*f, unsigned(args.a1), args.a2) : -ENOTTY;
  }
}

UK_SYSCALL(fcntl) {
  File *f = file(args.a0);
  if (!f)
    return -EBADF;
  switch (args.a1) {
  case F_GETFD:
    return f->cloexec ? FD_CLOEXEC : 0;
  case F_SETFD:
    f->cloexec = args.a2 & FD_CLOEXEC;
    return 0;
  case F_GETFL:
    return f->flags;
  case F_SETFL:
    f->flags = (f->flags & ~unsigned(O_APPEND | O_NONBLOCK)) |
               (unsigned(args.a2) & (O_APPEND | O_NONBLOCK));
    return 0;
  case F_DUPFD:
  case F_DUPFD_CLOEXEC: {
    if (args.a2 >= MaxFiles)
      return -EINVAL;
    long fd = allocate(int(args.a2));
    return fd < 0 ? fd : duplicate(*f, int(fd), args.a1 == F_DUPFD_CLOEXEC);
  }
  case F_GETPIPE_SZ:
  case F_SETPIPE_SZ: // the size stays; the answer says so
    return is_pipe(*f) ? 65536 : -EBADF;
  case F_GETLK:
  case F_SETLK:
  case F_SETLKW:
    return record_lock(*f, int(args.a1), args.a2);
  default:
    return -EINVAL;
  }
}

UK_SYSCALL(dup) {
  File *f = file(args.a0);
  if (!f)
    return -EBADF;
  long fd = allocate(0);
  return fd < 0 ? fd : duplicate(*f, int(fd), false);
}

UK_SYSCALL(dup3) {
  File *f = file(args.a0);
  if (!f || args.a1 >= MaxFiles)
    return -EBADF;
  if (args.a0 == args.a1 || (args.a2 & ~uint64_t(O_CLOEXEC)))
    return -EINVAL;
  return duplicate(*f, int(args.a1), args.a2 & O_CLOEXEC);
}

UK_SYSCALL(dup2) {
  if (args.a0 == args.a1)
    return file(args.a0) ? long(args.a1) : -EBADF;
  return sys_dup3(args.a0, args.a1, 0, 0, 0, 0);
}

} // namespace uk
