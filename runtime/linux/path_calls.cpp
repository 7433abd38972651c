// path_calls.cpp: the system calls that name files by path, beside open: stat and
// statx, access, readlink, mkdir, symlink, link, unlink and rmdir, rename, chmod,
// utimensat, chown, statfs, truncate, umask.
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

constexpr uint64_t X_OK = 1, W_OK = 2; // access() modes (<unistd.h>)

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
  bool read_only = !n.fs->create || (n.fs->read_only && n.fs->read_only(n));
  if ((mode & W_OK) && !device && read_only)
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

} // namespace

UK_PATH_SYSCALL(newfstatat) { return do_stat(args.a0, args.a1, args.a2, args.a3); }
UK_PATH_SYSCALL(statx) { return do_statx(args.a0, args.a1, args.a2, args.a4); }
UK_PATH_SYSCALL(stat) { return do_stat(uint64_t(AT_FDCWD), args.a0, args.a1, 0); }
UK_PATH_SYSCALL(lstat) {
  return do_stat(uint64_t(AT_FDCWD), args.a0, args.a1, AT_SYMLINK_NOFOLLOW);
}
UK_PATH_SYSCALL(faccessat) { return do_access(args.a0, args.a1, args.a2, 0); }
UK_PATH_SYSCALL(faccessat2) { return do_access(args.a0, args.a1, args.a2, args.a3); }
UK_PATH_SYSCALL(access) { return do_access(uint64_t(AT_FDCWD), args.a0, args.a1, 0); }
UK_PATH_SYSCALL(readlinkat) { return do_readlink(args.a0, args.a1, args.a2, args.a3); }
UK_PATH_SYSCALL(readlink) { return do_readlink(uint64_t(AT_FDCWD), args.a0, args.a1, args.a2); }

UK_PATH_SYSCALL(mkdirat) { return do_mkdir(args.a0, args.a1, args.a2); }
UK_PATH_SYSCALL(mkdir) { return do_mkdir(uint64_t(AT_FDCWD), args.a0, args.a1); }
UK_PATH_SYSCALL(unlinkat) {
  if (args.a2 & ~uint64_t(AT_REMOVEDIR))
    return -EINVAL;
  return do_remove(args.a0, args.a1, args.a2 & AT_REMOVEDIR);
}
UK_PATH_SYSCALL(unlink) { return do_remove(uint64_t(AT_FDCWD), args.a0, false); }
UK_PATH_SYSCALL(rmdir) { return do_remove(uint64_t(AT_FDCWD), args.a0, true); }
UK_PATH_SYSCALL(renameat2) { return do_rename(args.a0, args.a1, args.a2, args.a3, args.a4); }
UK_PATH_SYSCALL(renameat) { return do_rename(args.a0, args.a1, args.a2, args.a3, 0); }
UK_PATH_SYSCALL(rename) {
  return do_rename(uint64_t(AT_FDCWD), args.a0, uint64_t(AT_FDCWD), args.a1, 0);
}
UK_PATH_SYSCALL(symlinkat) { return do_symlink(args.a0, args.a1, args.a2); }
UK_PATH_SYSCALL(symlink) { return do_symlink(args.a0, uint64_t(AT_FDCWD), args.a1); }
UK_PATH_SYSCALL(linkat) { return do_link(args.a0, args.a1, args.a2, args.a3, args.a4); }
UK_PATH_SYSCALL(link) {
  return do_link(uint64_t(AT_FDCWD), args.a0, uint64_t(AT_FDCWD), args.a1, 0);
}
UK_PATH_SYSCALL(statfs) {
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
UK_PATH_SYSCALL(fchmodat) { return do_chmod(args.a0, args.a1, args.a2, 0); }
UK_PATH_SYSCALL(chmod) { return do_chmod(uint64_t(AT_FDCWD), args.a0, args.a1, 0); }
UK_SYSCALL(fchmod) { return do_chmod(args.a0, 0, args.a1, AT_EMPTY_PATH); }
UK_PATH_SYSCALL(utimensat) { return do_utimensat(args.a0, args.a1, args.a2, args.a3); }

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
UK_PATH_SYSCALL(fchownat) { return do_chown(args.a0, args.a1, args.a2, args.a3, args.a4); }
UK_PATH_SYSCALL(chown) { return do_chown(uint64_t(AT_FDCWD), args.a0, args.a1, args.a2, 0); }
UK_PATH_SYSCALL(lchown) {
  return do_chown(uint64_t(AT_FDCWD), args.a0, args.a1, args.a2, AT_SYMLINK_NOFOLLOW);
}
UK_SYSCALL(fchown) { return do_chown(args.a0, 0, args.a1, args.a2, AT_EMPTY_PATH); }

UK_PATH_SYSCALL(truncate) {
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

} // namespace uk
