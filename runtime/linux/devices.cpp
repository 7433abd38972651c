// devices.cpp: the built-in files and their file systems: the console (fds 0, 1, 2),
// /dev (null, zero, full, urandom, random, console, and links to the descriptors) and
// /proc/self (exe, and the descriptors again as fd/N).
#include "vfs.h"

#include "uk/platform.h"
#include "uk/print.h"
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

// /dev: the devices, and the descriptors again through links into /proc/self/fd.
struct DevEntry {
  const char *name;
  const FileOps *ops; // null: a symlink
  const char *target;
};
const DevEntry dev_entries[] = {
    // sorted, as readdir lists them
    {"console", &console_ops, nullptr},    {"fd", nullptr, "/proc/self/fd"},
    {"full", &full_ops, nullptr},          {"null", &null_ops, nullptr},
    {"random", &random_ops, nullptr},      {"stderr", nullptr, "/proc/self/fd/2"},
    {"stdin", nullptr, "/proc/self/fd/0"}, {"stdout", nullptr, "/proc/self/fd/1"},
    {"urandom", &random_ops, nullptr},     {"zero", &zero_ops, nullptr},
};
constexpr uint64_t DevCount = sizeof dev_entries / sizeof dev_entries[0];
constexpr uint32_t DevFsDev = makedev(0, 5), ProcFsDev = makedev(0, 20);

// Node ids: 0 the folder, N the entry N-1.
Node dev_root() { return {&dev_fs, 0}; }
long dev_lookup(Node, const char *name, size_t len, Node &found) {
  for (uint64_t i = 0; i < DevCount; ++i)
    if (same_name(dev_entries[i].name, name, len)) {
      found = {&dev_fs, i + 1};
      return 0;
    }
  return -ENOENT;
}
Node dev_parent(Node) { return dev_root(); }
const char *dev_name(Node n) { return n.id ? dev_entries[n.id - 1].name : "dev"; }
NodeKind dev_kind(Node n) {
  return !n.id                       ? NodeKind::Directory
         : dev_entries[n.id - 1].ops ? NodeKind::Device
                                     : NodeKind::Symlink;
}
const char *dev_target(Node n) { return dev_entries[n.id - 1].target; }
bool dev_readdir(Node, uint64_t index, DirEntry &e) {
  if (index >= DevCount)
    return false;
  e = {dev_entries[index].name,
       strlen(dev_entries[index].name),
       {&dev_fs, index + 1},
       dev_kind({&dev_fs, index + 1})};
  return true;
}
long dev_open(Node n, unsigned flags, File &f) {
  f = {dev_entries[n.id - 1].ops, nullptr, 1, flags, false};
  return 0;
}
void dev_stat(Node n, struct stat *st) {
  if (dev_kind(n) == NodeKind::Device) {
    File f = {dev_entries[n.id - 1].ops, nullptr, 1, 0, false};
    fill_stat(f, st);
    return;
  }
  st->st_dev = DevFsDev;
  st->st_ino = n.id + 1;
  st->st_nlink = n.id ? 1 : 2;
  st->st_mode = n.id ? S_IFLNK | 0777 : S_IFDIR | 0755;
  st->st_size = n.id ? long(strlen(dev_target(n))) : 0;
}

// /proc/self: exe (a link to the program), fd/N (the open descriptors).
enum : uint64_t { ProcRoot, ProcSelf, ProcFd, ProcExe, ProcDescriptor = 16 };

Node proc_root() { return {&proc_fs, ProcRoot}; }
long proc_lookup(Node dir, const char *name, size_t len, Node &found) {
  if (dir.id == ProcRoot && same_name("self", name, len))
    found = {&proc_fs, ProcSelf};
  else if (dir.id == ProcSelf && same_name("fd", name, len))
    found = {&proc_fs, ProcFd};
  else if (dir.id == ProcSelf && same_name("exe", name, len))
    found = {&proc_fs, ProcExe};
  else if (dir.id == ProcFd && len && len < 8) {
    uint64_t fd = 0;
    for (size_t i = 0; i < len; ++i) {
      if (name[i] < '0' || name[i] > '9')
        return -ENOENT;
      fd = fd * 10 + uint64_t(name[i] - '0');
    }
    if (!file(fd))
      return -ENOENT;
    found = {&proc_fs, ProcDescriptor + fd};
  } else
    return -ENOENT;
  return 0;
}
Node proc_parent(Node n) {
  return {&proc_fs, n.id >= ProcDescriptor ? ProcFd : n.id == ProcSelf ? ProcRoot : ProcSelf};
}
const char *proc_name(Node n) {
  static char number[8];
  switch (n.id) {
  case ProcRoot:
    return "proc";
  case ProcSelf:
    return "self";
  case ProcFd:
    return "fd";
  case ProcExe:
    return "exe";
  }
  format(number, sizeof number, "%lu", n.id - ProcDescriptor);
  return number;
}
NodeKind proc_kind(Node n) {
  return n.id == ProcExe          ? NodeKind::Symlink
         : n.id >= ProcDescriptor ? NodeKind::Device
                                  : NodeKind::Directory;
}
/// exe: the program's path, "/" and its name. fd/N: what the descriptor is, as Linux
/// names it: the file's path, else "pipe:[INODE]" and the like; null if it is gone.
const char *proc_target(Node n) {
  static char target[4096];
  if (n.id == ProcExe) {
    format(target, sizeof target, "/%s", program_name());
    return target;
  }
  File *f = file(n.id - ProcDescriptor);
  if (!f)
    return nullptr;
  Node node;
  if (file_node(*f, node) && node_path(node, target, sizeof target) > 0)
    return target;
  struct stat st;
  fill_stat(*f, &st);
  const char *kind = S_ISFIFO(st.st_mode) ? "pipe" : S_ISSOCK(st.st_mode) ? "socket" : nullptr;
  if (f->ops == &console_ops && !kind)
    return "/dev/console"; // a terminal on the host
  if (kind)
    format(target, sizeof target, "%s:[%lu]", kind, uint64_t(st.st_ino));
  else
    format(target, sizeof target, "anon_inode:[%lu]", uint64_t(st.st_ino));
  return target;
}
bool proc_readdir(Node dir, uint64_t index, DirEntry &e) {
  if (dir.id == ProcRoot || dir.id == ProcSelf) {
    static const char *const names[][2] = {{"self", nullptr}, {"exe", "fd"}};
    const char *const *list = names[dir.id];
    if (index >= (dir.id == ProcRoot ? 1u : 2u))
      return false;
    Node n;
    proc_lookup(dir, list[index], strlen(list[index]), n);
    e = {list[index], strlen(list[index]), n, proc_kind(n)};
    return true;
  }
  // fd: the first open descriptor from Index on (descriptors closed meanwhile skip
  // no others).
  for (uint64_t fd = index; fd < 1024; ++fd)
    if (file(fd)) {
      Node n = {&proc_fs, ProcDescriptor + fd};
      const char *name = proc_name(n);
      e = {name, strlen(name), n, NodeKind::Device, fd + 1};
      return true;
    }
  return false;
}
} // namespace

bool descriptor_node(Node n, Node &opened) {
  File *f = n.fs == &proc_fs && n.id >= ProcDescriptor ? file(n.id - ProcDescriptor) : nullptr;
  return f && file_node(*f, opened);
}

namespace {

long proc_open(Node n, unsigned flags, File &f) {
  return reopen_descriptor(int(n.id - ProcDescriptor), flags, f);
}
void proc_stat(Node n, struct stat *st) {
  if (n.id >= ProcDescriptor) {
    if (File *f = file(n.id - ProcDescriptor))
      fill_stat(*f, st);
    return;
  }
  st->st_dev = ProcFsDev;
  st->st_ino = n.id + 1;
  st->st_nlink = n.id == ProcExe ? 1 : 2;
  st->st_mode = n.id == ProcExe ? S_IFLNK | 0777 : S_IFDIR | 0555;
}

} // namespace

const FileSystem dev_fs = {"devtmpfs", dev_root, dev_lookup, dev_parent,  dev_name,
                           dev_kind,   dev_stat, dev_target, dev_readdir, dev_open};
const FileSystem proc_fs = {"proc",    proc_root, proc_lookup, proc_parent,  proc_name,
                            proc_kind, proc_stat, proc_target, proc_readdir, proc_open};

long reopen_descriptor(int fd, unsigned flags, File &f) {
  File *open = file(uint64_t(fd));
  if (!open)
    return -ENOENT;
  Node n;
  if (file_node(*open, n)) // a file or folder: opened anew, with an offset of its own
    return open_node(n, flags, f);
  f = {open->ops, open->object, open->stream, flags, false};
  if (f.ops->retain)
    f.ops->retain(f);
  return 0;
}

const FileOps console_ops = {.read = console_read,
                             .write = console_write,
                             .mode = S_IFCHR | 0620,
                             .rdev = makedev(5, 1)};

bool console_is_tty(const File &f) { return console_ttys() & (1u << f.stream); }

void fill_stat(const File &f, struct stat *st) {
  memset(st, 0, sizeof *st);
  if (f.ops->stat) {
    f.ops->stat(f, st);
    return;
  }
  st->st_dev = makedev(0, 5);
  st->st_ino = f.ops->rdev + 1 + reinterpret_cast<uint64_t>(f.object);
  st->st_mode = f.ops->mode;
  if (f.ops == &console_ops && !console_is_tty(f))
    st->st_mode = S_IFIFO | 0600; // as a pipe: what the host's stdout is
  st->st_nlink = 1;
  st->st_rdev = f.ops == &console_ops && !console_is_tty(f) ? 0 : f.ops->rdev;
  st->st_blksize = 4096;
}

} // namespace uk
