// vfs.cpp: the path walk over the mounted file systems (mounts.cpp): names, ".", "..",
// symlinks and /proc/self/fd/N from the root, the working directory or a descriptor's
// folder; paths of nodes (getcwd); the working directory's calls.
#include "walk.h"

#include "uk/sched.h"

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
bool path_call_running;
WaitQueue path_call_waiters;
Node cwd; // null fs: not set yet (the manifest's or the boot option's workdir, or /)
} // namespace

PathCall::PathCall() {
  while (path_call_running)
    wait_on(path_call_waiters, "a path", 0, false);
  path_call_running = true;
}

PathCall::~PathCall() {
  path_call_running = false;
  wake_all(path_call_waiters);
}

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

/// Writes the absolute path of N into Out (size Size), returning its length + 1.
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

/// Makes N the working directory, which holds it (a removed folder stays while it is).
void change_directory(Node n) {
  if (n.fs->held)
    n.fs->held(n);
  Node old = cwd;
  cwd = n;
  if (old.fs && old.fs->closed)
    old.fs->closed(old);
}

UK_PATH_SYSCALL(chdir) {
  Node n;
  if (long error = resolve(uint64_t(AT_FDCWD), args.a0, true, n))
    return error;
  if (kind(n) != NodeKind::Directory)
    return -ENOTDIR;
  change_directory(n);
  return 0;
}

UK_PATH_SYSCALL(fchdir) {
  Node n;
  if (long error = start_of(args.a0, n))
    return error;
  change_directory(n);
  return 0;
}

UK_PATH_SYSCALL(getcwd) {
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
