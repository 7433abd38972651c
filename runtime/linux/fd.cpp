// fd.cpp: file descriptors over the built-in files: the console (fds 0, 1, 2),
// /dev/null, /dev/zero, /dev/full, /dev/urandom and /dev/random. Any other path does
// not exist without the 'fs' feature.
#include "uk/platform.h"
#include "uk/process.h"
#include "uk/random.h"
#include "uk/syscall.h"
#include "uk/vm.h"

#include <asm/fcntl.h>
#include <asm/ioctls.h>
#include <asm/stat.h>
#include <asm/termbits.h>
#include <linux/fcntl.h>
#include <linux/stat.h>

namespace uk {
namespace {

struct File;

struct FileOps {
  long (*read)(File &, char *, size_t);
  long (*write)(File &, const char *, size_t);
  uint32_t mode; // S_IFCHR... and permissions, as fstat shows them
  uint32_t rdev;
};

struct File {
  const FileOps *ops;
  int stream;     // console: 0, 1 or 2
  unsigned flags; // O_ACCMODE, O_APPEND, O_NONBLOCK...
  bool cloexec;
};

constexpr int MaxFiles = 256;
extern const FileOps console_ops;
// The console is open on fds 0, 1 and 2 when the program starts.
File files[MaxFiles] = {
    {&console_ops, 0, O_RDONLY, false},
    {&console_ops, 1, O_WRONLY, false},
    {&console_ops, 2, O_WRONLY, false},
};

long console_read(File &, char *buf, size_t len) { return platform->console_read(buf, len); }
long console_write(File &f, const char *buf, size_t len) {
  platform->console_write(f.stream == 1 ? Stream::Out : Stream::Err, buf, len);
  return long(len);
}
long null_read(File &, char *, size_t) { return 0; }
long sink_write(File &, const char *, size_t len) { return long(len); }
long zero_read(File &, char *buf, size_t len) {
  memset(buf, 0, len);
  return long(len);
}
long full_write(File &, const char *, size_t) { return -ENOSPC; }
long random_read(File &, char *buf, size_t len) { return fill_random(buf, len); }

constexpr uint32_t makedev(uint32_t major, uint32_t minor) { return major << 8 | minor; }

const FileOps console_ops = {console_read, console_write, S_IFCHR | 0620, makedev(5, 1)};
const FileOps null_ops = {null_read, sink_write, S_IFCHR | 0666, makedev(1, 3)};
const FileOps zero_ops = {zero_read, sink_write, S_IFCHR | 0666, makedev(1, 5)};
const FileOps full_ops = {zero_read, full_write, S_IFCHR | 0666, makedev(1, 7)};
const FileOps random_ops = {random_read, sink_write, S_IFCHR | 0666, makedev(1, 9)};

struct BuiltinPath {
  const char *path;
  const FileOps *ops;
};
const BuiltinPath builtin_paths[] = {
    {"/dev/null", &null_ops},      {"/dev/zero", &zero_ops},     {"/dev/full", &full_ops},
    {"/dev/urandom", &random_ops}, {"/dev/random", &random_ops}, {"/dev/console", &console_ops},
};

bool console_is_tty(const File &f) { return console_ttys() & (1u << f.stream); }

File *file(uint64_t fd) {
  if (fd >= MaxFiles || !files[fd].ops)
    return nullptr;
  return &files[fd];
}

int allocate(int from) {
  for (int fd = from; fd < MaxFiles; ++fd)
    if (!files[fd].ops)
      return fd;
  return -EMFILE;
}

bool streq(const char *a, const char *b) {
  while (*a && *a == *b)
    ++a, ++b;
  return *a == *b;
}

/// A user path, checked and bounded; null if unreadable.
const char *user_path(uint64_t addr, long &error) {
  long len = user_strlen(reinterpret_cast<const char *>(addr), 4096);
  error = len < 0 ? -EFAULT : 0;
  if (len == 0)
    error = -ENOENT;
  return error ? nullptr : reinterpret_cast<const char *>(addr);
}

/// The file a path names: a built-in device, or an open descriptor through
/// /dev/stdin, /dev/fd/N and /proc/self/fd/N.
const FileOps *lookup(const char *path, int &stream) {
  stream = 1;
  for (const auto &b : builtin_paths)
    if (streq(path, b.path))
      return b.ops;
  int fd = -1;
  if (streq(path, "/dev/stdin"))
    fd = 0;
  else if (streq(path, "/dev/stdout"))
    fd = 1;
  else if (streq(path, "/dev/stderr"))
    fd = 2;
  else {
    const char *n = nullptr;
    if (!memcmp(path, "/dev/fd/", 8))
      n = path + 8;
    else if (!memcmp(path, "/proc/self/fd/", 14))
      n = path + 14;
    if (n && *n) {
      fd = 0;
      for (; *n >= '0' && *n <= '9' && fd < MaxFiles; ++n)
        fd = fd * 10 + (*n - '0');
      if (*n)
        fd = -1;
    }
  }
  if (File *f = fd >= 0 ? file(fd) : nullptr) {
    stream = f->stream;
    return f->ops;
  }
  return nullptr;
}

void fill_stat(const File &f, struct stat *st) {
  memset(st, 0, sizeof *st);
  st->st_dev = makedev(0, 5);
  st->st_ino = f.ops->rdev + 1;
  st->st_mode = f.ops->mode;
  if (f.ops == &console_ops && !console_is_tty(f))
    st->st_mode = S_IFIFO | 0600; // as a pipe: what the host's stdout is
  st->st_nlink = 1;
  st->st_rdev = f.ops == &console_ops && !console_is_tty(f) ? 0 : f.ops->rdev;
  st->st_blksize = 4096;
}

long do_open(const char *path, uint64_t flags) {
  int stream;
  const FileOps *ops = lookup(path, stream);
  if (!ops)
    return flags & O_CREAT ? -EROFS : -ENOENT;
  if (flags & O_DIRECTORY)
    return -ENOTDIR;
  int fd = allocate(0);
  if (fd < 0)
    return fd;
  files[fd] = {ops, stream, unsigned(flags & ~O_CLOEXEC), bool(flags & O_CLOEXEC)};
  return fd;
}

long do_stat(const char *path, struct stat *st) {
  int stream;
  const FileOps *ops = lookup(path, stream);
  if (!ops)
    return -ENOENT;
  fill_stat(File{ops, stream, 0, false}, st);
  return 0;
}

bool readable(const File &f) { return (f.flags & O_ACCMODE) != O_WRONLY; }
bool writable(const File &f) { return (f.flags & O_ACCMODE) != O_RDONLY; }

} // namespace

namespace {

/// read, write, pread64 and pwrite64: the same checks, then the file's operation.
/// Devices have no offsets, so the positional forms only refuse the console.
long transfer(uint64_t fd, uint64_t buf, uint64_t len, bool write, bool positional) {
  File *f = file(fd);
  if (!f || !(write ? writable(*f) : readable(*f)))
    return -EBADF;
  if (positional && f->ops == &console_ops)
    return -ESPIPE;
  if (!user_ok(buf, len, write ? ProtRead : ProtWrite))
    return -EFAULT;
  return write ? f->ops->write(*f, reinterpret_cast<const char *>(buf), len)
               : f->ops->read(*f, reinterpret_cast<char *>(buf), len);
}

} // namespace

UK_SYSCALL(read) { return transfer(args.a0, args.a1, args.a2, false, false); }
UK_SYSCALL(write) { return transfer(args.a0, args.a1, args.a2, true, false); }
UK_SYSCALL(pread64) { return transfer(args.a0, args.a1, args.a2, false, true); }
UK_SYSCALL(pwrite64) { return transfer(args.a0, args.a1, args.a2, true, true); }

namespace {

struct IoVec {
  uint64_t base, len;
};

/// readv/writev: each vector in turn. Small writes are gathered into one buffer so
/// that a console write costs one exit, not one per vector.
long vector_io(const SyscallArgs &args, bool write) {
  File *f = file(args.a0);
  if (!f || !(write ? writable(*f) : readable(*f)))
    return -EBADF;
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

UK_SYSCALL(writev) { return vector_io(args, true); }
UK_SYSCALL(readv) { return vector_io(args, false); }

UK_SYSCALL(close) {
  File *f = file(args.a0);
  if (!f)
    return -EBADF;
  *f = {};
  return 0;
}

UK_SYSCALL(lseek) {
  File *f = file(args.a0);
  if (!f)
    return -EBADF;
  if (f->ops == &console_ops)
    return -ESPIPE;
  return 0; // devices: every offset is the start
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

UK_SYSCALL(newfstatat) {
  if (!user_ok(args.a2, sizeof(struct stat), ProtWrite))
    return -EFAULT;
  auto *st = reinterpret_cast<struct stat *>(args.a2);
  if (args.a3 & AT_EMPTY_PATH) {
    long len = user_strlen(reinterpret_cast<const char *>(args.a1), 4096);
    if (len == 0) {
      File *f = file(args.a0);
      if (!f)
        return -EBADF;
      fill_stat(*f, st);
      return 0;
    }
  }
  long error;
  const char *path = user_path(args.a1, error);
  return path ? do_stat(path, st) : error;
}

UK_SYSCALL(stat) {
  long error;
  const char *path = user_path(args.a0, error);
  if (!path)
    return error;
  if (!user_ok(args.a1, sizeof(struct stat), ProtWrite))
    return -EFAULT;
  return do_stat(path, reinterpret_cast<struct stat *>(args.a1));
}

UK_SYSCALL(lstat) { return sys_stat(args.a0, args.a1, 0, 0, 0, 0); }

UK_SYSCALL(openat) {
  long error;
  const char *path = user_path(args.a1, error);
  return path ? do_open(path, args.a2) : error;
}

UK_SYSCALL(open) {
  long error;
  const char *path = user_path(args.a0, error);
  return path ? do_open(path, args.a1) : error;
}

UK_SYSCALL(faccessat) {
  long error;
  const char *path = user_path(args.a1, error);
  if (!path)
    return error;
  int stream;
  return lookup(path, stream) ? 0 : -ENOENT;
}

UK_SYSCALL(faccessat2) { return sys_faccessat(args.a0, args.a1, args.a2, 0, 0, 0); }

UK_SYSCALL(access) { return sys_faccessat(uint64_t(AT_FDCWD), args.a0, args.a1, 0, 0, 0); }

UK_SYSCALL(readlink) {
  long len = user_strlen(reinterpret_cast<const char *>(args.a0), 4096);
  if (len < 0)
    return -EFAULT;
  const char *path = reinterpret_cast<const char *>(args.a0);
  long error;
  if (len != 14 || memcmp(path, "/proc/self/exe", 14))
    return len && lookup(path, *reinterpret_cast<int *>(&error)) ? -EINVAL : -ENOENT;
  if (!user_ok(args.a1, args.a2, ProtWrite))
    return -EFAULT;
  // The program's path: "/" and its name. readlink does not NUL-terminate.
  const char *name = program_name();
  size_t n = strlen(name) + 1;
  if (n > args.a2)
    n = args.a2;
  auto *out = reinterpret_cast<char *>(args.a1);
  if (n)
    out[0] = '/';
  if (n > 1)
    memcpy(out + 1, name, n - 1);
  return long(n);
}

UK_SYSCALL(readlinkat) { return sys_readlink(args.a1, args.a2, args.a3, 0, 0, 0); }

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
  case FIOCLEX:
  case FIONCLEX:
    return 0;
  default:
    return -ENOTTY;
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
    f->flags = (f->flags & O_ACCMODE) | (unsigned(args.a2) & (O_APPEND | O_NONBLOCK));
    return 0;
  case F_DUPFD:
  case F_DUPFD_CLOEXEC: {
    int fd = allocate(int(args.a2));
    if (fd < 0)
      return fd;
    files[fd] = *f;
    files[fd].cloexec = args.a1 == F_DUPFD_CLOEXEC;
    return fd;
  }
  default:
    return -EINVAL;
  }
}

UK_SYSCALL(dup) {
  File *f = file(args.a0);
  if (!f)
    return -EBADF;
  int fd = allocate(0);
  if (fd < 0)
    return fd;
  files[fd] = *f;
  files[fd].cloexec = false;
  return fd;
}

UK_SYSCALL(dup3) {
  File *f = file(args.a0);
  if (!f || args.a1 >= MaxFiles)
    return -EBADF;
  if (args.a0 == args.a1)
    return -EINVAL;
  files[args.a1] = *f;
  files[args.a1].cloexec = args.a2 & O_CLOEXEC;
  return long(args.a1);
}

UK_SYSCALL(dup2) {
  if (args.a0 == args.a1) {
    return file(args.a0) ? long(args.a1) : -EBADF;
  }
  return sys_dup3(args.a0, args.a1, 0, 0, 0, 0);
}

} // namespace uk
