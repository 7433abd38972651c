// vfs.cpp: the path walk over the mounted file systems (the image's tree at /, or an
// empty root; /dev, /proc/self and /tmp over it), open-file descriptions and flock,
// and the system calls that take paths: open, stat, access, readlink, mkdir, unlink,
// rename, symlink, chmod, utimensat, chown, getdents64, the working directory.
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

constexpr int MaxLinks = 40; // symlinks followed in one walk, as Linux
constexpr size_t MaxPath = 4096;
constexpr uint64_t X_OK = 1, W_OK = 2; // access() modes (<unistd.h>)

Node cwd; // null fs: not set yet (the manifest's or the boot option's workdir, or /)

long walk(Node at, const char *path, bool follow, Node &out, int &links);

/// The working directory; the first call sets it where the boot options or the
/// manifest say (uk.workdir=, fs: { workdir }).
Node working_directory() {
  static bool started;
  if (!started) {
    started = true;
    const char *workdir = boot_option("workdir", 0);
    if (!workdir && manifest().fs_workdir)
      workdir = manifest_string(manifest().fs_workdir);
    int links = 0;
    Node dir;
    if (workdir &&
        (walk(root(), workdir, true, dir, links) || dir.fs->kind(dir) != NodeKind::Directory))
      print("ukc++: the working folder '%s' is not a folder; starting in /\n", workdir);
    else if (workdir)
      cwd = dir;
    if (cwd.fs && cwd.fs->held)
      cwd.fs->held(cwd);
  }
  return cwd.fs ? cwd : root();
}

bool is_root(Node n) { return n == root(); }

NodeKind kind(Node n) { return n.fs->kind(n); }

/// The folder holding N, across mount points; the root holds itself.
Node parent(Node n) {
  Node up;
  const char *name;
  if (is_root(n))
    return n;
  return mount_point(n, up, name) ? up : n.fs->parent(n);
}

const char *name_of(Node n) {
  Node up;
  const char *name;
  return mount_point(n, up, name) ? name : n.fs->name_of(n);
}

bool is_mount_point(Node n) {
  Node up;
  const char *name;
  return mount_point(n, up, name);
}

/// One step of a walk: Name in folder Dir, mounts first.
long step(Node dir, const char *name, size_t len, Node &found) {
  if (len == 1 && name[0] == '.') {
    found = dir;
    return 0;
  }
  if (len == 2 && name[0] == '.' && name[1] == '.') {
    found = parent(dir);
    return 0;
  }
  if (mounted_on(dir, name, len, found))
    return 0;
  long error = dir.fs->lookup(dir, name, len, found);
  if (!error)
    found.fs = dir.fs;
  return error;
}

/// Resolves Path from folder At. Symlinks are followed, the last one only if Follow
/// (or if the path ends in '/'). Links counts the symlinks followed so far.
long walk(Node at, const char *path, bool follow, Node &out, int &links) {
  if (*path == '/')
    at = root();
  for (const char *p = path;;) {
    while (*p == '/')
      ++p;
    if (!*p) {
      out = at;
      return 0;
    }
    const char *end = p;
    while (*end && *end != '/')
      ++end;
    if (size_t(end - p) > MaxName)
      return -ENAMETOOLONG;
    if (kind(at) != NodeKind::Directory)
      return -ENOTDIR;
    Node next;
    if (long error = step(at, p, size_t(end - p), next))
      return error;
    const char *rest = end;
    while (*rest == '/')
      ++rest;
    bool last = !*rest, slash = *end == '/';
    if (!last || follow || slash)
      descriptor_node(next, next);
    if (kind(next) == NodeKind::Symlink && (!last || follow || slash)) {
      if (++links > MaxLinks)
        return -ELOOP;
      const char *target = next.fs->link_target(next);
      if (!target)
        return -EIO;
      if (long error = walk(at, target, true, next, links))
        return error;
    }
    if (last && slash && kind(next) != NodeKind::Directory)
      return -ENOTDIR;
    at = next;
    p = end;
  }
}

/// The folder a *at call starts from: the working directory, or Dirfd's folder.
long start_of(uint64_t dirfd, Node &start) {
  if (int(dirfd) == AT_FDCWD) {
    start = working_directory();
    return 0;
  }
  File *f = file(dirfd);
  if (!f)
    return -EBADF;
  if (!file_node(*f, start) || kind(start) != NodeKind::Directory)
    return -ENOTDIR;
  return 0;
}

/// The length of the program's path at Addr, or -EFAULT, -ENOENT (empty), -ENAMETOOLONG.
long path_length(uint64_t addr) {
  long len = user_strlen(reinterpret_cast<const char *>(addr), MaxPath);
  if (len < 0)
    return -EFAULT;
  if (len == 0)
    return -ENOENT;
  return len == long(MaxPath) ? -ENAMETOOLONG : len;
}

/// Walks Path from Dirfd, or from the root if it is absolute.
long walk_from(uint64_t dirfd, const char *path, bool follow, Node &out) {
  Node start;
  if (*path != '/')
    if (long error = start_of(dirfd, start))
      return error;
  int links = 0;
  return walk(start, path, follow, out, links);
}

/// Resolves the program's path Path_addr from Dirfd (or from the root if absolute).
long resolve(uint64_t dirfd, uint64_t path_addr, bool follow, Node &out) {
  long len = path_length(path_addr);
  if (len < 0)
    return len;
  return walk_from(dirfd, reinterpret_cast<const char *>(path_addr), follow, out);
}

/// Splits the program's path Path_addr into the folder holding its last name (walked,
/// symlinks followed) and that name, for the calls that make, remove or rename it.
long resolve_last(uint64_t dirfd, uint64_t path_addr, Node &dir, const char *&name,
                  size_t &len) {
  long length = path_length(path_addr);
  if (length < 0)
    return length;
  const char *path = reinterpret_cast<const char *>(path_addr);
  size_t end = size_t(length);
  while (end > 1 && path[end - 1] == '/')
    --end;
  size_t cut = end;
  while (cut && path[cut - 1] != '/')
    --cut;
  name = path + cut;
  len = end - cut;
  if (len > MaxName)
    return -ENAMETOOLONG;
  static char folder[MaxPath];
  memcpy(folder, path, cut);
  memcpy(folder + cut, ".", 2);
  return walk_from(dirfd, folder, true, dir);
}

bool dot_or_dotdot(const char *name, size_t len) {
  return (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.') ||
         (len == 1 && name[0] == '/');
}

uint32_t umask_bits = 022;

void node_stat(Node n, struct stat *st) {
  memset(st, 0, sizeof *st);
  st->st_blksize = 4096;
  n.fs->stat(n, st);
}

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
  auto &open = *static_cast<OpenFile *>(f.object);
  size_t used = 0;
  for (DirEntry e; entry_at(open.node, open.offset, e); open.offset = e.next) {
    size_t reclen = align_up(sizeof(LinuxDirent64) + e.name_len + 1, 8);
    if (used + reclen > len)
      return used ? long(used) : -EINVAL;
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

/// What fstatat (and statx) answer for Path from Dirfd, into Out (kernel memory).
long stat_at(uint64_t dirfd, uint64_t path, uint64_t flags, struct stat *out) {
  if (flags & AT_EMPTY_PATH) {
    long len = user_strlen(reinterpret_cast<const char *>(path), MaxPath);
    if (len < 0)
      return -EFAULT;
    if (len == 0) {
      if (int(dirfd) == AT_FDCWD) {
        node_stat(working_directory(), out);
        return 0;
      }
      File *f = file(dirfd);
      if (!f)
        return -EBADF;
      fill_stat(*f, out);
      return 0;
    }
  }
  Node n;
  if (long error = resolve(dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW), n))
    return error;
  node_stat(n, out);
  return 0;
}

long do_stat(uint64_t dirfd, uint64_t path, uint64_t st, uint64_t flags) {
  if (!user_ok(st, sizeof(struct stat), ProtWrite))
    return -EFAULT;
  struct stat answer;
  long error = stat_at(dirfd, path, flags, &answer);
  if (!error)
    memcpy(reinterpret_cast<void *>(st), &answer, sizeof answer);
  return error;
}

/// statx: the stat answer in statx's form (the basic fields; no birth time).
long do_statx(uint64_t dirfd, uint64_t path, uint64_t flags, uint64_t buf) {
  if (flags &
      ~uint64_t(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE))
    return -EINVAL;
  if (!user_ok(buf, sizeof(struct statx), ProtWrite))
    return -EFAULT;
  struct stat st;
  if (long error = stat_at(dirfd, path, flags, &st))
    return error;
  struct statx x = {};
  x.stx_mask = STATX_BASIC_STATS;
  x.stx_blksize = uint32_t(st.st_blksize);
  x.stx_nlink = uint32_t(st.st_nlink);
  x.stx_mode = uint16_t(st.st_mode);
  x.stx_ino = st.st_ino;
  x.stx_size = uint64_t(st.st_size);
  x.stx_blocks = uint64_t(st.st_blocks);
  x.stx_atime = {int64_t(st.st_atime), uint32_t(st.st_atime_nsec), 0};
  x.stx_ctime = {int64_t(st.st_ctime), uint32_t(st.st_ctime_nsec), 0};
  x.stx_mtime = {int64_t(st.st_mtime), uint32_t(st.st_mtime_nsec), 0};
  x.stx_rdev_major = uint32_t(st.st_rdev >> 8), x.stx_rdev_minor = uint32_t(st.st_rdev & 0xff);
  x.stx_dev_major = uint32_t(st.st_dev >> 8), x.stx_dev_minor = uint32_t(st.st_dev & 0xff);
  memcpy(reinterpret_cast<void *>(buf), &x, sizeof x);
  return 0;
}

long do_access(uint64_t dirfd, uint64_t path, uint64_t mode, uint64_t flags) {
  if (mode & ~uint64_t(7))
    return -EINVAL;
  Node n;
  if (long error = resolve(dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW), n))
    return error;
  struct stat st;
  node_stat(n, &st);
  bool device = S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode);
  if ((mode & W_OK) && !device && !n.fs->create) // a read-only file system
    return -EROFS;
  if ((mode & X_OK) && !S_ISDIR(st.st_mode) && !(st.st_mode & 0111))
    return -EACCES;
  return 0;
}

long do_readlink(uint64_t dirfd, uint64_t path, uint64_t buf, uint64_t size) {
  if (int64_t(size) <= 0)
    return -EINVAL;
  Node n;
  if (long error = resolve(dirfd, path, false, n))
    return error;
  // /proc/self/fd/N is no symlink to the walk (it is the open file itself), but
  // readlink tells what it refers to, as Linux does.
  const char *target =
      kind(n) == NodeKind::Symlink || n.fs == &proc_fs ? n.fs->link_target(n) : nullptr;
  if (!target)
    return kind(n) == NodeKind::Symlink ? -EIO : -EINVAL;
  if (!user_ok(buf, size, ProtWrite))
    return -EFAULT;
  size_t len = strlen(target);
  if (len > size)
    len = size;
  memcpy(reinterpret_cast<char *>(buf), target, len); // not NUL-terminated
  return long(len);
}

/// mkdir and symlink: makes the last name of Path, a Kind (a symlink to Target).
long make_name(uint64_t dirfd, uint64_t path, NodeKind kind, uint32_t mode,
               const char *target) {
  Node dir, made;
  const char *name;
  size_t len;
  if (long error = resolve_last(dirfd, path, dir, name, len))
    return error;
  if (dot_or_dotdot(name, len) || !step(dir, name, len, made))
    return -EEXIST;
  if (!dir.fs->create)
    return -EROFS;
  return dir.fs->create(dir, name, len, kind, mode, target, made);
}

long do_mkdir(uint64_t dirfd, uint64_t path, uint64_t mode) {
  return make_name(dirfd, path, NodeKind::Directory, uint32_t(mode) & ~umask_bits & 07777,
                   nullptr);
}

long do_symlink(uint64_t target, uint64_t dirfd, uint64_t path) {
  if (long target_len = path_length(target); target_len < 0)
    return target_len;
  return make_name(dirfd, path, NodeKind::Symlink, 0777,
                   reinterpret_cast<const char *>(target));
}

/// statfs of the file system holding N, to the program's buffer at Addr.
long copy_statfs(Node n, uint64_t addr) {
  if (!user_ok(addr, sizeof(struct statfs), ProtWrite))
    return -EFAULT;
  struct statfs st;
  memset(&st, 0, sizeof st);
  // Memory file systems as Linux reports them: tmpfs (devtmpfs too), proc, ramfs.
  bool memory = n.fs == &dev_fs || (temporary_files && n.fs == temporary_files());
  st.f_type = memory ? 0x01021994 : n.fs == &proc_fs ? 0x9fa0 : 0x858458f6;
  st.f_bsize = st.f_frsize = 4096;
  st.f_namelen = MaxName;
  if (image_tree && n.fs == image_tree())
    st.f_flags = 1; // ST_RDONLY
  if (n.fs->statfs)
    if (long error = n.fs->statfs(n, &st))
      return error;
  memcpy(reinterpret_cast<void *>(addr), &st, sizeof st);
  return 0;
}

/// unlink, and rmdir when Folder.
long do_remove(uint64_t dirfd, uint64_t path, bool folder) {
  Node dir, n;
  const char *name;
  size_t len;
  if (long error = resolve_last(dirfd, path, dir, name, len))
    return error;
  if (dot_or_dotdot(name, len))
    return folder ? (len == 1 && name[0] == '.' ? -EINVAL : -ENOTEMPTY) : -EISDIR;
  if (long error = step(dir, name, len, n))
    return error;
  if (!folder && name[len] == '/' && kind(n) != NodeKind::Directory)
    return -ENOTDIR;
  if (is_mount_point(n))
    return folder ? -EBUSY : -EISDIR;
  if (!dir.fs->remove)
    return -EROFS;
  return dir.fs->remove(dir, name, len, folder);
}

long do_rename(uint64_t from_dirfd, uint64_t from, uint64_t to_dirfd, uint64_t to,
               uint64_t flags) {
  if (flags)
    return -EINVAL; // RENAME_NOREPLACE, _EXCHANGE, _WHITEOUT: not yet
  Node from_dir, to_dir, n;
  const char *name, *to_name;
  size_t len, to_len;
  if (long error = resolve_last(from_dirfd, from, from_dir, name, len))
    return error;
  if (dot_or_dotdot(name, len))
    return -EBUSY;
  if (long error = step(from_dir, name, len, n))
    return error;
  if (long error = resolve_last(to_dirfd, to, to_dir, to_name, to_len))
    return error;
  if (dot_or_dotdot(to_name, to_len))
    return -EBUSY;
  if (is_mount_point(n))
    return -EBUSY;
  if (from_dir.fs != to_dir.fs)
    return -EXDEV;
  if (!from_dir.fs->rename)
    return -EROFS;
  return from_dir.fs->rename(from_dir, name, len, to_dir, to_name, to_len);
}

/// chmod and utimensat's target: Path from Dirfd, or Dirfd itself for an empty path
/// with AT_EMPTY_PATH (or a null path, as futimens passes).
long change_target(uint64_t dirfd, uint64_t path, uint64_t flags, Node &n) {
  if (!path || (flags & AT_EMPTY_PATH &&
                user_strlen(reinterpret_cast<const char *>(path), MaxPath) == 0)) {
    File *f = file(dirfd);
    if (!f)
      return -EBADF;
    return file_node(*f, n) ? 0 : -EROFS;
  }
  return resolve(dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW), n);
}

/// link and linkat: a new name, in the same file system, for a file that is not a folder.
long do_link(uint64_t from_dirfd, uint64_t from, uint64_t to_dirfd, uint64_t to,
             uint64_t flags) {
  if (flags & ~uint64_t(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
    return -EINVAL;
  Node n, dir, existing;
  if (!from)
    return -EFAULT;
  uint64_t how =
      (flags & AT_EMPTY_PATH) | (flags & AT_SYMLINK_FOLLOW ? 0 : AT_SYMLINK_NOFOLLOW);
  if (long error = change_target(from_dirfd, from, how, n))
    return error == -EROFS ? -ENOENT : error; // a descriptor that is no file's
  if (kind(n) == NodeKind::Directory)
    return -EPERM;
  const char *name;
  size_t len;
  if (long error = resolve_last(to_dirfd, to, dir, name, len))
    return error;
  if (dot_or_dotdot(name, len) || step(dir, name, len, existing) != -ENOENT)
    return -EEXIST;
  if (dir.fs != n.fs)
    return -EXDEV;
  if (!dir.fs->link)
    return -EPERM; // as Linux says for file systems without hard links
  return dir.fs->link(n, dir, name, len);
}

long do_chmod(uint64_t dirfd, uint64_t path, uint64_t mode, uint64_t flags) {
  Node n;
  if (long error = change_target(dirfd, path, flags, n))
    return error;
  if (!n.fs->set_mode)
    return -EROFS;
  return n.fs->set_mode(n, uint32_t(mode));
}

struct TimeSpec {
  int64_t sec, nsec;
};
constexpr int64_t UtimeNow = (1l << 30) - 1, UtimeOmit = (1l << 30) - 2;

long do_utimensat(uint64_t dirfd, uint64_t path, uint64_t times, uint64_t flags) {
  Node n;
  if (long error = change_target(dirfd, path, flags, n))
    return error;
  int64_t mtime = realtime_ns();
  if (times) {
    if (!user_ok(times, 2 * sizeof(TimeSpec), ProtRead))
      return -EFAULT;
    auto *given = reinterpret_cast<const TimeSpec *>(times);
    for (int i = 0; i < 2; ++i) // access time (not kept), then modification time
      if (given[i].nsec != UtimeNow && given[i].nsec != UtimeOmit &&
          (given[i].nsec < 0 || given[i].nsec >= 1000000000))
        return -EINVAL;
    const TimeSpec &m = given[1];
    if (m.nsec == UtimeOmit)
      return 0;
    if (m.nsec != UtimeNow && (__builtin_mul_overflow(m.sec, 1000000000, &mtime) ||
                               __builtin_add_overflow(mtime, m.nsec, &mtime)))
      return -EINVAL;
  }
  if (!n.fs->set_mtime)
    return -EROFS;
  return n.fs->set_mtime(n, mtime);
}

/// Writes the absolute path of N into Out (size Size), returning its length + 1.
} // namespace

long node_path(Node n, char *out, size_t size) {
  // Names from N up to the root, then reversed into place.
  static const char *names[MaxPath / 2];
  int count = 0;
  for (; !is_root(n) && count < int(MaxPath / 2); n = parent(n)) {
    struct stat st;
    node_stat(n, &st);
    if (!st.st_nlink)
      return -ENOENT; // a removed folder has no path
    names[count++] = name_of(n);
  }
  size_t at = 0;
  if (!count) {
    if (size < 2)
      return -ERANGE;
    memcpy(out, "/", 2);
    return 2;
  }
  for (int i = count - 1; i >= 0; --i) {
    size_t len = strlen(names[i]);
    if (at + 1 + len + 1 > size)
      return -ERANGE;
    out[at++] = '/';
    memcpy(out + at, names[i], len);
    at += len;
  }
  out[at] = 0;
  return long(at + 1);
}

namespace {

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

} // namespace

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

UK_SYSCALL(openat) { return do_openat(args.a0, args.a1, args.a2, args.a3); }
UK_SYSCALL(open) { return do_openat(uint64_t(AT_FDCWD), args.a0, args.a1, args.a2); }
UK_SYSCALL(creat) {
  return do_openat(uint64_t(AT_FDCWD), args.a0, O_CREAT | O_WRONLY | O_TRUNC, args.a1);
}
UK_SYSCALL(newfstatat) { return do_stat(args.a0, args.a1, args.a2, args.a3); }
UK_SYSCALL(statx) { return do_statx(args.a0, args.a1, args.a2, args.a4); }
UK_SYSCALL(stat) { return do_stat(uint64_t(AT_FDCWD), args.a0, args.a1, 0); }
UK_SYSCALL(lstat) { return do_stat(uint64_t(AT_FDCWD), args.a0, args.a1, AT_SYMLINK_NOFOLLOW); }
UK_SYSCALL(faccessat) { return do_access(args.a0, args.a1, args.a2, 0); }
UK_SYSCALL(faccessat2) { return do_access(args.a0, args.a1, args.a2, args.a3); }
UK_SYSCALL(access) { return do_access(uint64_t(AT_FDCWD), args.a0, args.a1, 0); }
UK_SYSCALL(readlinkat) { return do_readlink(args.a0, args.a1, args.a2, args.a3); }
UK_SYSCALL(readlink) { return do_readlink(uint64_t(AT_FDCWD), args.a0, args.a1, args.a2); }

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

UK_SYSCALL(mkdirat) { return do_mkdir(args.a0, args.a1, args.a2); }
UK_SYSCALL(mkdir) { return do_mkdir(uint64_t(AT_FDCWD), args.a0, args.a1); }
UK_SYSCALL(unlinkat) {
  if (args.a2 & ~uint64_t(AT_REMOVEDIR))
    return -EINVAL;
  return do_remove(args.a0, args.a1, args.a2 & AT_REMOVEDIR);
}
UK_SYSCALL(unlink) { return do_remove(uint64_t(AT_FDCWD), args.a0, false); }
UK_SYSCALL(rmdir) { return do_remove(uint64_t(AT_FDCWD), args.a0, true); }
UK_SYSCALL(renameat2) { return do_rename(args.a0, args.a1, args.a2, args.a3, args.a4); }
UK_SYSCALL(renameat) { return do_rename(args.a0, args.a1, args.a2, args.a3, 0); }
UK_SYSCALL(rename) {
  return do_rename(uint64_t(AT_FDCWD), args.a0, uint64_t(AT_FDCWD), args.a1, 0);
}
UK_SYSCALL(symlinkat) { return do_symlink(args.a0, args.a1, args.a2); }
UK_SYSCALL(symlink) { return do_symlink(args.a0, uint64_t(AT_FDCWD), args.a1); }
UK_SYSCALL(linkat) { return do_link(args.a0, args.a1, args.a2, args.a3, args.a4); }
UK_SYSCALL(link) {
  return do_link(uint64_t(AT_FDCWD), args.a0, uint64_t(AT_FDCWD), args.a1, 0);
}
UK_SYSCALL(statfs) {
  Node n;
  if (long error = resolve(uint64_t(AT_FDCWD), args.a0, true, n))
    return error;
  return copy_statfs(n, args.a1);
}
UK_SYSCALL(fstatfs) {
  File *f = file(args.a0);
  if (!f)
    return -EBADF;
  Node n;
  if (!file_node(*f, n))
    n = {&dev_fs, 0}; // a pipe, a socket, the console: the kernel's own files
  return copy_statfs(n, args.a1);
}
UK_SYSCALL(fchmodat) { return do_chmod(args.a0, args.a1, args.a2, 0); }
UK_SYSCALL(chmod) { return do_chmod(uint64_t(AT_FDCWD), args.a0, args.a1, 0); }
UK_SYSCALL(fchmod) { return do_chmod(args.a0, 0, args.a1, AT_EMPTY_PATH); }
UK_SYSCALL(utimensat) { return do_utimensat(args.a0, args.a1, args.a2, args.a3); }

// Owners: the program is root and owns everything; changing to root is a no-op, and
// there is no other user to give a file to.
long do_chown(uint64_t dirfd, uint64_t path, uint64_t uid, uint64_t gid, uint64_t flags) {
  Node n;
  if (long error = change_target(dirfd, path, flags, n))
    return error;
  bool to_root = (uint32_t(uid) == 0 || uint32_t(uid) == ~0u) &&
                 (uint32_t(gid) == 0 || uint32_t(gid) == ~0u);
  return to_root ? 0 : -EPERM;
}
UK_SYSCALL(fchownat) { return do_chown(args.a0, args.a1, args.a2, args.a3, args.a4); }
UK_SYSCALL(chown) { return do_chown(uint64_t(AT_FDCWD), args.a0, args.a1, args.a2, 0); }
UK_SYSCALL(lchown) {
  return do_chown(uint64_t(AT_FDCWD), args.a0, args.a1, args.a2, AT_SYMLINK_NOFOLLOW);
}
UK_SYSCALL(fchown) { return do_chown(args.a0, 0, args.a1, args.a2, AT_EMPTY_PATH); }

UK_SYSCALL(truncate) {
  Node n;
  if (long error = resolve(uint64_t(AT_FDCWD), args.a0, true, n))
    return error;
  if (kind(n) == NodeKind::Directory)
    return -EISDIR;
  if (int64_t(args.a1) < 0)
    return -EINVAL;
  File f;
  if (long error = open_node(n, O_WRONLY, f))
    return error;
  long result = f.ops->truncate ? f.ops->truncate(f, args.a1) : -EINVAL;
  if (f.ops->release)
    f.ops->release(f);
  return result;
}

UK_SYSCALL(umask) {
  uint32_t old = umask_bits;
  umask_bits = uint32_t(args.a0) & 0777;
  return old;
}

/// Makes N the working directory, which holds it (a removed folder stays while it is).
void change_directory(Node n) {
  if (n.fs->held)
    n.fs->held(n);
  Node old = cwd;
  cwd = n;
  if (old.fs && old.fs->closed)
    old.fs->closed(old);
}

UK_SYSCALL(chdir) {
  Node n;
  if (long error = resolve(uint64_t(AT_FDCWD), args.a0, true, n))
    return error;
  if (kind(n) != NodeKind::Directory)
    return -ENOTDIR;
  change_directory(n);
  return 0;
}

UK_SYSCALL(fchdir) {
  Node n;
  if (long error = start_of(args.a0, n))
    return error;
  change_directory(n);
  return 0;
}

UK_SYSCALL(getcwd) {
  static char path[MaxPath];
  long len = node_path(working_directory(), path, args.a1 < MaxPath ? args.a1 : MaxPath);
  if (len < 0)
    return len;
  if (!user_ok(args.a0, uint64_t(len), ProtWrite))
    return -EFAULT;
  memcpy(reinterpret_cast<char *>(args.a0), path, size_t(len));
  return len;
}

} // namespace uk
