// open_files.cpp: open-file descriptions (what descriptors share through dup: the
// node, the offset, flock's locks, shared mappings' references), open and creat,
// folders opened for getdents64.
#include "walk.h"

#include "vfs.h"

#include "uk/manifest.h"
#include "uk/print.h"
#include "uk/signal.h"
#include "uk/syscall.h"
#include "uk/time.h"
#include "uk/vm.h"

#include <asm/fcntl.h>
#include <asm/stat.h>
#include <asm/statfs.h>
#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/stat.h>

namespace uk {
namespace {

// Folders, open: getdents64 lists ".", "..", the entries, and the mounts on the root.
struct LinuxDirent64 {
  uint64_t ino;
  int64_t off;
  uint16_t reclen;
  uint8_t type;
  char name[];
};

uint8_t dirent_type(NodeKind k) {
  switch (k) {
  case NodeKind::Directory:
    return 4; // DT_DIR
  case NodeKind::File:
    return 8; // DT_REG
  case NodeKind::Symlink:
    return 10; // DT_LNK
  case NodeKind::Device:
    return 2; // DT_CHR
  }
  return 0;
}

/// The entry of folder Dir at Index (or the first after it) as getdents64 lists it:
/// ".", "..", the mounts on the root, then the file system's own; E.next is where the
/// following one is.
bool entry_at(Node dir, uint64_t index, DirEntry &e) {
  if (index < 2) {
    e = {index ? ".." : ".", index + 1, index ? parent(dir) : dir, NodeKind::Directory,
         index + 1};
    return true;
  }
  uint64_t base = 2;
  for (DirEntry m; mount_in(dir, base - 2, m); ++base)
    if (index == base) {
      e = m;
      e.next = index + 1;
      return true;
    }
  for (index -= base;;) { // a name a mount hides is not listed twice
    if (!dir.fs->readdir(dir, index, e))
      return false;
    e.node.fs = dir.fs;
    index = e.next ? e.next : index + 1;
    e.next = base + index;
    Node top;
    if (!mounted_on(dir, e.name, e.name_len, top))
      return true;
  }
}

long dir_getdents(File &f, char *buf, size_t len) {
  // A volume's listing may wait for the host, while another thread closes the
  // descriptor or unmaps the buffer: the description is kept, the buffer checked again.
  File kept = f;
  open_file_retain(kept);
  struct Release {
    File &file;
    ~Release() { open_file_release(file); }
  } release = {kept};
  auto &open = *static_cast<OpenFile *>(kept.object);
  size_t used = 0;
  for (DirEntry e; entry_at(open.node, open.offset, e); open.offset = e.next) {
    size_t reclen = align_up(sizeof(LinuxDirent64) + e.name_len + 1, 8);
    if (used + reclen > len)
      return used ? long(used) : -EINVAL;
    if (!user_ok(reinterpret_cast<uint64_t>(buf + used), reclen, ProtWrite))
      return used ? long(used) : -EFAULT;
    auto *d = reinterpret_cast<LinuxDirent64 *>(buf + used);
    if (!e.ino) {
      struct stat st;
      node_stat(e.node, &st);
      e.ino = st.st_ino;
    }
    d->ino = e.ino;
    d->off = int64_t(e.next);
    d->reclen = uint16_t(reclen);
    d->type = dirent_type(e.kind);
    memcpy(d->name, e.name, e.name_len);
    d->name[e.name_len] = 0;
    used += reclen;
  }
  return long(used);
}

long dir_seek(File &f, int64_t offset, int whence) {
  auto &open = *static_cast<OpenFile *>(f.object);
  if (whence != SEEK_SET || offset < 0)
    return -EINVAL;
  open.offset = uint64_t(offset);
  return offset;
}

const FileOps dir_ops = {.retain = open_file_retain,
                         .release = open_file_release,
                         .mode = S_IFDIR | 0755,
                         .seek = dir_seek,
                         .stat = open_file_stat,
                         .getdents = dir_getdents};

constexpr int MaxOpenFiles = 512;
OpenFile open_files[MaxOpenFiles] = {}; // constant-initialized: no constructor runs

/// Makes the file Path names (O_CREAT); Made is the new node. Through a dangling
/// symlink if Follow, as Linux does: the file made is the one the symlink names.
long create_file(uint64_t dirfd, uint64_t path, uint64_t mode, bool follow, Node &made) {
  Node dir;
  const char *name;
  size_t len;
  if (long error = resolve_last(dirfd, path, dir, name, len))
    return error;
  static char target[MaxPath];
  for (int links = 0;;) {
    if (!len || dot_or_dotdot(name, len) || name[len] == '/')
      return -EISDIR;
    Node link;
    if (!follow || step(dir, name, len, link) || kind(link) != NodeKind::Symlink)
      break;
    const char *to = link.fs->link_target(link);
    if (!to)
      return -EIO;
    size_t to_len = strlen(to);
    if (++links > MaxLinks)
      return -ELOOP;
    if (!to_len || to_len >= MaxPath)
      return to_len ? -ENAMETOOLONG : -ENOENT;
    memcpy(target, to, to_len + 1);
    size_t cut = to_len;
    while (cut && target[cut - 1] != '/')
      --cut;
    static char folder[MaxPath];
    memcpy(folder, target, cut);
    memcpy(folder + cut, ".", 2); // the folder of the name the symlink gives
    if (long error = walk(dir, folder, true, dir, links))
      return error;
    name = target + cut;
    len = to_len - cut;
  }
  if (!dir.fs->create)
    return -EROFS;
  long error = dir.fs->create(dir, name, len, NodeKind::File,
                              uint32_t(mode) & ~umask_bits & 07777, nullptr, made);
  made.fs = dir.fs;
  return error;
}

/// O_TMPFILE: a file with no name in folder Path.
long create_unnamed(uint64_t dirfd, uint64_t path, uint64_t flags, uint64_t mode, Node &made) {
  if ((flags & O_ACCMODE) == O_RDONLY)
    return -EINVAL;
  Node dir;
  if (long error = resolve(dirfd, path, true, dir))
    return error;
  if (kind(dir) != NodeKind::Directory)
    return -ENOTDIR;
  if (!dir.fs->create)
    return -EOPNOTSUPP;
  long error = dir.fs->create(dir, "", 0, NodeKind::File, uint32_t(mode) & ~umask_bits & 07777,
                              nullptr, made);
  made.fs = dir.fs;
  return error;
}

long do_openat(uint64_t dirfd, uint64_t path, uint64_t flags, uint64_t mode) {
  Node n;
  long error;
  bool unnamed = (flags & __O_TMPFILE) == __O_TMPFILE;
  if (unnamed) {
    error = create_unnamed(dirfd, path, flags, mode, n);
    flags &= ~uint64_t(__O_TMPFILE | O_DIRECTORY); // what is opened is the new file
  } else {
    error = resolve(dirfd, path, !(flags & O_NOFOLLOW), n);
    if (error == -ENOENT && (flags & O_CREAT))
      error = create_file(dirfd, path, mode, !(flags & (O_EXCL | O_NOFOLLOW)), n);
    else if (!error && (flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
      error = -EEXIST;
    else if (!error && (flags & O_CREAT) && kind(n) == NodeKind::Directory)
      error = -EISDIR;
  }
  if (error)
    return error;
  if (kind(n) == NodeKind::Symlink)
    return -ELOOP; // O_NOFOLLOW on a symlink
  File f;
  if (long e = open_node(n, flags, f)) {
    if (unnamed && n.fs->closed)
      n.fs->closed(n); // nothing refers to it: it goes
    return e;
  }
  f.flags = unsigned(flags & ~(O_CLOEXEC | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC));
  f.cloexec = flags & O_CLOEXEC;
  if ((flags & O_TRUNC) && (flags & O_ACCMODE) != O_RDONLY && f.ops->truncate)
    f.ops->truncate(f, 0);
  long fd = install(f);
  if (fd < 0 && f.ops->release)
    f.ops->release(f);
  return fd;
}

} // namespace

// flock: locks belong to open descriptions, so two opens of one file conflict even in
// one process (unlike fcntl's record locks).
struct FileLock {
  const OpenFile *holder; // null: a free entry
  bool exclusive;
};
constexpr int MaxFileLocks = 128;
FileLock file_locks[MaxFileLocks];

/// Drops Holder's lock, if it has one.
void unlock_file(const OpenFile *holder) {
  for (auto &l : file_locks)
    if (l.holder == holder) {
      l.holder = nullptr;
      files_changed(nullptr); // a waiter may take it now
    }
}

/// True if a description other than Holder locks the same file in a way that keeps
/// Holder from locking it (Exclusive or not).
bool lock_conflicts(const OpenFile *holder, bool exclusive) {
  for (const auto &l : file_locks)
    if (l.holder && l.holder != holder && l.holder->node == holder->node &&
        (exclusive || l.exclusive))
      return true;
  return false;
}

long do_flock(uint64_t fd, uint64_t operation) {
  constexpr uint64_t Shared = 1, Exclusive = 2, NonBlocking = 4, Unlock = 8;
  File *f = file(fd);
  if (!f)
    return -EBADF;
  uint64_t kind = operation & ~NonBlocking;
  if (kind != Shared && kind != Exclusive && kind != Unlock)
    return -EINVAL;
  Node n;
  if (!file_node(*f, n))
    return 0; // a device or a pipe: nothing else can open it to conflict
  // A reference for as long as the call lasts: a thread may close the descriptor while
  // this one waits, and the description must not become another file's meanwhile.
  struct Hold {
    File file;
    ~Hold() { open_file_release(file); }
  } hold = {*f};
  open_file_retain(hold.file);
  auto *holder = static_cast<const OpenFile *>(f->object);
  unlock_file(holder); // converting a lock releases it first, as Linux does
  if (kind == Unlock)
    return 0;
  while (lock_conflicts(holder, kind == Exclusive)) {
    if (operation & NonBlocking)
      return -EWOULDBLOCK;
    if (signal_pending())
      return -EINTR;
    wait_for_files("flock", 0);
  }
  for (auto &l : file_locks)
    if (!l.holder) {
      l = {holder, kind == Exclusive};
      return 0;
    }
  return -ENOLCK;
}

long open_node(Node n, uint64_t flags, File &f) {
  bool write = (flags & O_ACCMODE) != O_RDONLY;
  if (kind(n) == NodeKind::Directory) {
    if (write)
      return -EISDIR;
    OpenFile *open = open_file_new(n);
    if (!open)
      return -ENFILE;
    if (n.fs->held)
      n.fs->held(n);
    f = {&dir_ops, open, 0, 0, false};
    return 0;
  }
  if (flags & O_DIRECTORY)
    return -ENOTDIR;
  return n.fs->open(n, unsigned(flags), f);
}

OpenFile *open_file_new(Node n) {
  for (auto &open : open_files)
    if (!open.references) {
      auto retain = [](void *object) { ++static_cast<OpenFile *>(object)->references; };
      auto release = [](void *object) {
        File f = {nullptr, object, 0, 0, false};
        open_file_release(f);
      };
      auto sync = [](void *object) -> long {
        auto &open = *static_cast<OpenFile *>(object);
        return open.node.fs->sync ? open.node.fs->sync(open, true) : 0;
      };
      open = {{}, n, 0, 1, 0, {&open, retain, release, sync}};
      return &open;
    }
  return nullptr;
}

/// The program's end: each open description ends as its last close would end it (a
/// volume's file writes back its shared mappings' pages), as Linux's page cache
/// outlives the program.
void files_exit() {
  for (auto &open : open_files)
    if (open.references && open.node.fs->last_close) {
      open.node.fs->last_close(open);
      open.references = 0;
    }
}

long sync_open_files(const FileSystem *only) {
  long result = 0;
  for (auto &open : open_files)
    if (open.references && open.node.fs->sync && (!only || open.node.fs == only))
      if (long error = open.node.fs->sync(open, false))
        result = error;
  return result;
}

void open_file_retain(File &f) { ++static_cast<OpenFile *>(f.object)->references; }
void open_file_release(File &f) {
  auto &open = *static_cast<OpenFile *>(f.object);
  if (--open.references)
    return;
  unlock_file(&open);
  if (open.node.fs->last_close)
    open.node.fs->last_close(open);
  if (open.node.fs->closed)
    open.node.fs->closed(open.node);
}

long open_file_read(File &f, char *buf, size_t len) {
  auto &open = *static_cast<OpenFile *>(f.object);
  long n = f.ops->pread(f, buf, len, open.offset);
  if (n > 0)
    open.offset += uint64_t(n);
  return n;
}

void open_file_stat(const File &f, struct stat *st) {
  node_stat(static_cast<const OpenFile *>(f.object)->node, st);
}

long open_file_seek(File &f, int64_t offset, int whence, uint64_t size) {
  auto &open = *static_cast<OpenFile *>(f.object);
  int64_t base;
  switch (whence) {
  case SEEK_SET:
    base = 0;
    break;
  case SEEK_CUR:
    base = int64_t(open.offset);
    break;
  case SEEK_END:
    base = int64_t(size);
    break;
  case SEEK_DATA: // no holes: data runs from anywhere before the end
  case SEEK_HOLE: // the only hole is the end
    if (offset < 0 || uint64_t(offset) >= size)
      return -ENXIO;
    open.offset = whence == SEEK_DATA ? uint64_t(offset) : size;
    return int64_t(open.offset);
  default:
    return -EINVAL;
  }
  if (__builtin_add_overflow(base, offset, &base) || base < 0)
    return -EINVAL;
  open.offset = uint64_t(base);
  return base;
}

bool file_node(const File &f, Node &n) {
  if (f.ops != &dir_ops && !f.ops->pread)
    return false;
  n = static_cast<const OpenFile *>(f.object)->node;
  return true;
}

UK_PATH_SYSCALL(openat) { return do_openat(args.a0, args.a1, args.a2, args.a3); }
UK_PATH_SYSCALL(open) { return do_openat(uint64_t(AT_FDCWD), args.a0, args.a1, args.a2); }
UK_PATH_SYSCALL(creat) {
  return do_openat(uint64_t(AT_FDCWD), args.a0, O_CREAT | O_WRONLY | O_TRUNC, args.a1);
}

UK_SYSCALL(flock) { return do_flock(args.a0, args.a1); }

UK_SYSCALL(getdents64) {
  File *f = file(args.a0);
  if (!f)
    return -EBADF;
  if (!f->ops->getdents)
    return -ENOTDIR;
  if (!user_ok(args.a1, args.a2, ProtWrite))
    return -EFAULT;
  return f->ops->getdents(*f, reinterpret_cast<char *>(args.a1), args.a2);
}

} // namespace uk
