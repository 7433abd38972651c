// devices.cpp: the built-in files and their paths: the console (fds 0, 1, 2),
// /dev/null, /dev/zero, /dev/full, /dev/urandom and /dev/random, and the descriptors
// again through /dev/stdin, /dev/fd/N and /proc/self/fd/N. Any other path does not
// exist without the 'fs' feature.
#include "file.h"

#include "uk/platform.h"
#include "uk/process.h"
#include "uk/random.h"
#include "uk/syscall.h"
#include "uk/vm.h"

#include <asm/fcntl.h>
#include <asm/stat.h>
#include <linux/fcntl.h>
#include <linux/stat.h>

namespace uk {
namespace {

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

// Built-in devices are always ready: a console read waits in the read itself.
const FileOps null_ops = {
    .read = null_read, .write = sink_write, .mode = S_IFCHR | 0666, .rdev = makedev(1, 3)};
const FileOps zero_ops = {
    .read = zero_read, .write = sink_write, .mode = S_IFCHR | 0666, .rdev = makedev(1, 5)};
const FileOps full_ops = {
    .read = zero_read, .write = full_write, .mode = S_IFCHR | 0666, .rdev = makedev(1, 7)};
const FileOps random_ops = {
    .read = random_read, .write = sink_write, .mode = S_IFCHR | 0666, .rdev = makedev(1, 9)};

struct BuiltinPath {
  const char *path;
  const FileOps *ops;
};
const BuiltinPath builtin_paths[] = {
    {"/dev/null", &null_ops},      {"/dev/zero", &zero_ops},     {"/dev/full", &full_ops},
    {"/dev/urandom", &random_ops}, {"/dev/random", &random_ops}, {"/dev/console", &console_ops},
};

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

/// The file a path names: a built-in device, or an open descriptor's file through
/// /dev/stdin, /dev/fd/N and /proc/self/fd/N. False if there is none.
bool lookup(const char *path, File &found) {
  found = {nullptr, nullptr, 1, 0, false};
  for (const auto &b : builtin_paths)
    if (streq(path, b.path)) {
      found.ops = b.ops;
      return true;
    }
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
      for (; *n >= '0' && *n <= '9' && fd < 1 << 20; ++n)
        fd = fd * 10 + (*n - '0');
      if (*n)
        fd = -1;
    }
  }
  File *f = fd >= 0 ? file(uint64_t(fd)) : nullptr;
  if (f)
    found = {f->ops, f->object, f->stream, 0, false};
  return f;
}

long do_open(const char *path, uint64_t flags) {
  File f;
  if (!lookup(path, f))
    return flags & O_CREAT ? -EROFS : -ENOENT;
  if (flags & O_DIRECTORY)
    return -ENOTDIR;
  f.flags = unsigned(flags & ~O_CLOEXEC);
  f.cloexec = flags & O_CLOEXEC;
  long fd = install(f);
  if (fd >= 0 && f.ops->retain)
    f.ops->retain(*file(uint64_t(fd)));
  return fd;
}

long do_stat(const char *path, struct stat *st) {
  File f;
  if (!lookup(path, f))
    return -ENOENT;
  fill_stat(f, st);
  return 0;
}

} // namespace

const FileOps console_ops = {.read = console_read,
                             .write = console_write,
                             .mode = S_IFCHR | 0620,
                             .rdev = makedev(5, 1)};

bool console_is_tty(const File &f) { return console_ttys() & (1u << f.stream); }

void fill_stat(const File &f, struct stat *st) {
  memset(st, 0, sizeof *st);
  st->st_dev = makedev(0, 5);
  st->st_ino = f.ops->rdev + 1 + reinterpret_cast<uint64_t>(f.object);
  st->st_mode = f.ops->mode;
  if (f.ops == &console_ops && !console_is_tty(f))
    st->st_mode = S_IFIFO | 0600; // as a pipe: what the host's stdout is
  st->st_nlink = 1;
  st->st_rdev = f.ops == &console_ops && !console_is_tty(f) ? 0 : f.ops->rdev;
  st->st_blksize = 4096;
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
  File f;
  return lookup(path, f) ? 0 : -ENOENT;
}

UK_SYSCALL(faccessat2) { return sys_faccessat(args.a0, args.a1, args.a2, 0, 0, 0); }

UK_SYSCALL(access) { return sys_faccessat(uint64_t(AT_FDCWD), args.a0, args.a1, 0, 0, 0); }

UK_SYSCALL(readlink) {
  long len = user_strlen(reinterpret_cast<const char *>(args.a0), 4096);
  if (len < 0)
    return -EFAULT;
  const char *path = reinterpret_cast<const char *>(args.a0);
  File f;
  if (len != 14 || memcmp(path, "/proc/self/exe", 14))
    return len && lookup(path, f) ? -EINVAL : -ENOENT;
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

// Without the 'fs' feature the tree is read-only and holds only the built-in files:
// what exists cannot be changed (EROFS), what does not cannot be made (EROFS) or
// removed (ENOENT).

UK_SYSCALL(mkdirat) {
  long error;
  const char *path = user_path(args.a1, error);
  File f;
  return !path ? error : lookup(path, f) || streq(path, "/") ? -EEXIST : -EROFS;
}

UK_SYSCALL(mkdir) { return sys_mkdirat(uint64_t(AT_FDCWD), args.a0, args.a1, 0, 0, 0); }

UK_SYSCALL(unlinkat) {
  long error;
  const char *path = user_path(args.a1, error);
  File f;
  return !path ? error : lookup(path, f) ? -EROFS : -ENOENT;
}

UK_SYSCALL(unlink) { return sys_unlinkat(uint64_t(AT_FDCWD), args.a0, 0, 0, 0, 0); }
UK_SYSCALL(rmdir) { return sys_unlinkat(uint64_t(AT_FDCWD), args.a0, AT_REMOVEDIR, 0, 0, 0); }

UK_SYSCALL(renameat2) {
  long error;
  const char *from = user_path(args.a1, error);
  if (!from)
    return error;
  if (!user_path(args.a3, error))
    return error;
  File f;
  return lookup(from, f) ? -EROFS : -ENOENT;
}

UK_SYSCALL(renameat) { return sys_renameat2(args.a0, args.a1, args.a2, args.a3, 0, 0); }
UK_SYSCALL(rename) {
  return sys_renameat2(uint64_t(AT_FDCWD), args.a0, uint64_t(AT_FDCWD), args.a1, 0, 0);
}

UK_SYSCALL(chdir) {
  long error;
  const char *path = user_path(args.a0, error);
  File f;
  if (!path)
    return error;
  if (streq(path, "/") || streq(path, "/dev") || streq(path, "."))
    return 0; // the working directory stays "/": nothing below it can be entered
  return lookup(path, f) ? -ENOTDIR : -ENOENT;
}

UK_SYSCALL(fchdir) { return file(args.a0) ? -ENOTDIR : -EBADF; }

UK_SYSCALL(umask) {
  static uint32_t mask = 022;
  uint32_t old = mask;
  mask = uint32_t(args.a0) & 0777;
  return old;
}

} // namespace uk
