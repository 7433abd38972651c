// mounts.cpp: the mount table: the root (the image's tree, or an empty folder), /dev,
// /proc, /tmp and the volumes, each mounted on a name in a folder, with empty folders
// made up for the missing folders on the way to a mount point.
#include "vfs.h"

#include "uk/print.h"
#include "uk/process.h"

#include <asm-generic/errno.h>
#include <asm/stat.h>
#include <linux/stat.h>

namespace uk {
namespace {

// Empty folders: the root when the image has no tree, and the folders made up on the
// way to mount points (/mnt of /mnt/data). Each is a mount, told apart by its id.
extern const FileSystem empty_fs;
long empty_lookup(Node, const char *, size_t, Node &) { return -ENOENT; }
Node empty_parent(Node n) { return n; } // mounts answer for those that are mounted
const char *empty_name(Node) { return ""; }
NodeKind empty_kind(Node) { return NodeKind::Directory; }
void empty_stat(Node n, struct stat *st) {
  st->st_dev = 1;
  st->st_ino = 1 + n.id; // never 0: readdir skips entries whose inode is 0
  st->st_mode = S_IFDIR | 0755;
  st->st_nlink = 2;
}
bool empty_readdir(Node, uint64_t, DirEntry &) { return false; }
Node empty_root() { return {&empty_fs, 0}; }
const FileSystem empty_fs = {"rootfs",   empty_root, empty_lookup, empty_parent,  empty_name,
                             empty_kind, empty_stat, nullptr,      empty_readdir, nullptr};

/// A file system's folder Top, mounted on the name Name in folder Parent.
struct Mount {
  Node parent;
  char name[MaxName + 1];
  Node top;
};
constexpr int MaxMounts = 32;
Mount mounts[MaxMounts] = {}; // constant-initialized: no constructor runs
int mount_count;
uint64_t empty_folders = 1; // ids of empty folders made so far (0: the root)
bool ready;

const FileSystem *root_fs() {
  static const FileSystem *fs = image_tree && image_tree() ? image_tree() : &empty_fs;
  return fs;
}

Mount *mount_named(Node dir, const char *name, size_t len) {
  for (int i = 0; i < mount_count; ++i)
    if (mounts[i].parent == dir && same_name(mounts[i].name, name, len))
      return &mounts[i];
  return nullptr;
}

long add_mount(Node dir, const char *name, size_t len, Node top) {
  if (Mount *m = mount_named(dir, name, len)) {
    m->top = top; // a later mount hides an earlier one on the same name
    return 0;
  }
  if (mount_count == MaxMounts || len > MaxName)
    return -ENOMEM;
  Mount &m = mounts[mount_count++];
  if (dir.fs->held)
    dir.fs->held(dir); // the folder stays what the mount is on (a volume lets go of others)
  m.parent = dir;
  memcpy(m.name, name, len);
  m.name[len] = 0;
  m.top = top;
  return 0;
}

/// The built-in mounts, then the file system components' (volumes).
void set_up() {
  ready = true;
  Node top = root_fs()->root();
  add_mount(top, "dev", 3, dev_fs.root());
  add_mount(top, "proc", 4, proc_fs.root());
  if (temporary_files)
    add_mount(top, "tmp", 3, temporary_files()->root());
  Node own_etc; // the image's own /etc wins over the built-in one
  if (etc_files && root_fs()->lookup(top, "etc", 3, own_etc) == -ENOENT)
    add_mount(top, "etc", 3, etc_files()->root());
  if (mount_volumes)
    mount_volumes();
}

} // namespace

void files_init() { root(); }

Node root() {
  if (!ready)
    set_up();
  return root_fs()->root();
}

long mount(const char *path, Node top) {
  Node dir = root();
  if (*path != '/')
    return -EINVAL;
  for (const char *p = path;;) {
    while (*p == '/')
      ++p;
    const char *end = p;
    while (*end && *end != '/')
      ++end;
    size_t len = size_t(end - p);
    if ((len == 1 && *p == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
      return -EINVAL; // mount points are plain paths
    const char *rest = end;
    while (*rest == '/')
      ++rest;
    if (!len)
      return -EINVAL; // "/" itself
    if (!*rest)
      return add_mount(dir, p, len, top);
    Node next;
    if (Mount *m = mount_named(dir, p, len))
      next = m->top;
    else if (long error = dir.fs->lookup(dir, p, len, next); error == -ENOENT) {
      next = {&empty_fs, empty_folders++};
      if (long e = add_mount(dir, p, len, next))
        return e;
    } else if (error) {
      return error;
    } else {
      next.fs = dir.fs;
      if (next.fs->kind(next) != NodeKind::Directory)
        return -ENOTDIR;
    }
    dir = next;
    p = end;
  }
}

bool mounted_on(Node dir, const char *name, size_t len, Node &top) {
  root();
  const Mount *m = mount_named(dir, name, len);
  if (m)
    top = m->top;
  return m;
}

bool mount_point(Node n, Node &parent, const char *&name) {
  for (int i = 0; i < mount_count; ++i)
    if (mounts[i].top == n) {
      parent = mounts[i].parent;
      name = mounts[i].name;
      return true;
    }
  return false;
}

bool mount_in(Node dir, uint64_t k, DirEntry &e) {
  for (int i = 0; i < mount_count; ++i)
    if (mounts[i].parent == dir && !k--) {
      e = {mounts[i].name, strlen(mounts[i].name), mounts[i].top, NodeKind::Directory};
      return true;
    }
  return false;
}

} // namespace uk
