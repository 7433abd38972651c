// volumes.cpp: host folders as file systems: every call becomes 9P2000.L messages to
// the host's file server, which alone touches the folder; the guest holds only fids.
// Names are walked one at a time from fids the host confines to the volume, so "..",
// symlinks and /proc/self/fd tricks resolve in the guest's tree, never on the host.
// One message is in flight at a time: a file system call holds the volumes' lock.
#include "volumes.h"

#include "uk/manifest.h"
#include "uk/memory.h"
#include "uk/paging.h"
#include "uk/platform.h"
#include "uk/print.h"
#include "uk/process.h"
#include "uk/sched.h"
#include "uk/time.h"
#include "uk/volume.h"

#include <asm-generic/errno.h>
#include <asm/fcntl.h>
#include <asm/stat.h>
#include <asm/statfs.h>
#include <linux/fs.h>
#include <linux/stat.h>

namespace uk::volumes {
namespace {

constexpr uint32_t Msize = 512 * KiB;       // request and reply buffers, each
constexpr size_t DirBufferSize = 64 * KiB;  // one Treaddir reply kept
constexpr uint32_t DevBase = (0 << 8) | 80; // st_dev of volume I: DevBase + I

// The volumes' lock: held across a call's messages, so that another thread's calls
// (which run while this one waits for the host) see nodes and buffers whole.
bool locked;
WaitQueue lock_waiters;
struct Lock {
  Lock() {
    while (locked)
      wait_on(lock_waiters, "a volume", 0, false);
    locked = true;
  }
  ~Lock() {
    locked = false;
    wake_all(lock_waiters);
  }
};

Volume &volume(Node n) { return *reinterpret_cast<Volume *>(const_cast<FileSystem *>(n.fs)); }
static_assert(__builtin_offsetof(Volume, fs) == 0, "a volume is found from its fs");

/// The opened fid of a description, whether it was opened for writing, and whether it
/// is the node's read-only fid, which the node keeps (shared by read-only opens, so
/// that opening a file again costs no messages).
constexpr uint64_t Writable = 1ull << 32, NodeOwned = 1ull << 33;
uint32_t fid_of(const OpenFile &open) { return uint32_t(open.handle); }
bool writable(const OpenFile &open) { return open.handle & Writable; }

void invalidate_listing(Volume &v) { v.dir_len = 0; }

void fill_stat(Node n, const p9::Attr &a, struct stat *st) {
  st->st_dev = DevBase + uint32_t(&volume(n) - volumes);
  st->st_ino = a.qid.path;
  st->st_mode = a.mode;
  st->st_nlink = a.nlink;
  st->st_size = long(a.size);
  st->st_blocks = long(a.blocks);
  st->st_atime = a.atime_sec;
  st->st_atime_nsec = uint64_t(a.atime_nsec);
  st->st_mtime = a.mtime_sec;
  st->st_mtime_nsec = uint64_t(a.mtime_nsec);
  st->st_ctime = a.ctime_sec;
  st->st_ctime_nsec = uint64_t(a.ctime_nsec);
}

/// A new fid for the same file as Fid (a Twalk of no names), to open.
long clone(Volume &v, const VNode &n, uint32_t &copy) {
  copy = fid_new(v, &n);
  if (!copy)
    return -ENFILE;
  p9::Qid unused;
  if (long error = p9::walk(v.channel, n.fid, copy, nullptr, 0, unused)) {
    fid_free(v, copy);
    return error;
  }
  return 0;
}

/// Walks Name in folder Dir: its node, met before or new.
long walk_name(VNode &dir, const char *name, size_t len, VNode *&found) {
  if ((found = find_child(dir, name, len)))
    return 0;
  Volume &v = volume_of(dir);
  uint32_t fid = fid_new(v, &dir);
  if (!fid)
    return -ENFILE;
  p9::Qid qid;
  if (long error = p9::walk(v.channel, dir.fid, fid, name, len, qid)) {
    fid_free(v, fid);
    return error;
  }
  if (!(found = add_node(dir, name, len, fid, qid))) {
    fid_drop(v, fid);
    return -ENFILE;
  }
  return 0;
}

// The file system's calls.

Node volume_root_of(const FileSystem *fs) {
  auto &v = *reinterpret_cast<Volume *>(const_cast<FileSystem *>(fs));
  return node_id(*node_at(v.root));
}

/// FileSystem::root of each volume (the call has no argument to say which).
template <unsigned I> Node root_of() { return volume_root_of(&volumes[I].fs); }
constexpr Node (*roots[MaxVolumes])() = {root_of<0>, root_of<1>, root_of<2>, root_of<3>,
                                         root_of<4>, root_of<5>, root_of<6>, root_of<7>};

long vol_lookup(Node dir, const char *name, size_t len, Node &found) {
  Lock lock;
  VNode *d = node(dir), *n;
  if (!d || d->removed)
    return -ENOENT;
  if (long error = walk_name(*d, name, len, n))
    return error;
  found = node_id(*n);
  return 0;
}

Node vol_parent(Node n) {
  VNode *v = node(n);
  return v ? node_id(*node_at(v->parent)) : volume_root_of(n.fs);
}

const char *vol_name(Node n) {
  VNode *v = node(n);
  return v ? v->name : "";
}

NodeKind vol_kind(Node n) {
  VNode *v = node(n);
  if (!v)
    return NodeKind::File;
  if (v->qid_type & p9::QidDirectory)
    return NodeKind::Directory;
  if (v->qid_type & p9::QidSymlink)
    return NodeKind::Symlink;
  return v->file_type && v->file_type != S_IFREG ? NodeKind::Device : NodeKind::File;
}

void vol_stat(Node n, struct stat *st) {
  Lock lock;
  VNode *v = node(n);
  p9::Attr a;
  if (v && !p9::getattr(volume(n).channel, v->fid, a)) {
    v->file_type = a.mode & S_IFMT;
    fill_stat(n, a, st);
  }
}

const char *vol_target(Node n) {
  Lock lock;
  VNode *v = node(n);
  if (!v)
    return nullptr;
  if (!v->link) {
    uint64_t frame = frame_alloc();
    if (!frame)
      return nullptr;
    char *text = static_cast<char *>(phys_to_virt(frame));
    if (p9::readlink(volume(n).channel, v->fid, text, PageSize) < 0) {
      frame_free(frame);
      return nullptr;
    }
    v->link = text;
  }
  return v->link;
}

bool vol_readdir(Node dir, uint64_t index, DirEntry &e) {
  Lock lock;
  Volume &v = volume(dir);
  VNode *d = node(dir);
  if (!d)
    return false;
  if (v.dir_node != dir.id) { // another folder's listing: open this one
    if (v.dir_fid)
      fid_drop(v, v.dir_fid);
    v.dir_node = 0;
    v.dir_len = 0;
    if (clone(v, *d, v.dir_fid))
      return v.dir_fid = 0, false;
    if (p9::lopen(v.channel, v.dir_fid, O_RDONLY | O_DIRECTORY)) {
      fid_drop(v, v.dir_fid);
      return v.dir_fid = 0, false;
    }
    v.dir_node = dir.id;
  }
  if (index == 0)
    v.dir_len = 0; // a listing from the start sees the folder as it is now
  for (bool fetched = false;;) {
    uint64_t cookie = v.dir_start;
    p9::DirRecord r;
    size_t at = 0;
    bool found = false;
    while (v.dir_len && p9::next_record(v.dir_buffer, v.dir_len, at, r)) {
      if (cookie == index) {
        found = true;
        break;
      }
      cookie = r.next;
    }
    if (!found) {
      if (fetched)
        return false; // the server's reply does not start where it was asked to
      long got = p9::readdir(v.channel, v.dir_fid, index, v.dir_buffer, DirBufferSize);
      if (got <= 0)
        return false;
      v.dir_start = index;
      v.dir_len = size_t(got);
      fetched = true;
      continue;
    }
    if (!r.next)
      return false;
    bool dots = (r.name_len == 1 && r.name[0] == '.') ||
                (r.name_len == 2 && r.name[0] == '.' && r.name[1] == '.');
    if (dots) { // the walk lists its own
      index = r.next;
      continue;
    }
    e.name = r.name;
    e.name_len = r.name_len;
    e.node = {};
    e.kind = r.type == 4                  ? NodeKind::Directory
             : r.type == 10               ? NodeKind::Symlink
             : r.type == 8 || r.type == 0 ? NodeKind::File
                                          : NodeKind::Device;
    e.next = r.next;
    e.ino = r.qid.path ? r.qid.path : ~0ull;
    return true;
  }
}

extern const FileOps file_ops;

long vol_open(Node n, unsigned flags, File &f) {
  Lock lock;
  Volume &v = volume(n);
  VNode *node_ = node(n);
  if (!node_)
    return -ENOENT;
  bool write = (flags & O_ACCMODE) != O_RDONLY;
  if (write && v.readonly)
    return -EROFS;
  if (!node_->file_type) {
    p9::Attr a;
    if (long error = p9::getattr(v.channel, node_->fid, a))
      return error;
    node_->file_type = a.mode & S_IFMT;
  }
  if (node_->file_type != S_IFREG)
    return -EACCES; // FIFOs, sockets and devices in a volume are the host's alone
  uint32_t open_flags = flags & (O_ACCMODE | O_DSYNC | __O_SYNC);
  bool shared = open_flags == O_RDONLY;
  uint32_t fid = shared ? node_->read_fid : 0;
  if (node_->created_fid && !(open_flags & (O_DSYNC | __O_SYNC))) {
    fid = node_->created_fid; // the open of the file just made: its own fid
    node_->created_fid = 0;
    shared = false;
  } else if (!fid) {
    if (long error = clone(v, *node_, fid))
      return error;
    if (long error = p9::lopen(v.channel, fid, open_flags)) {
      fid_drop(v, fid);
      return error;
    }
    if (shared)
      node_->read_fid = fid;
  }
  OpenFile *open = open_file_new(n);
  if (!open) {
    if (!shared)
      fid_drop(v, fid);
    return -ENFILE;
  }
  open->handle = fid | (write ? Writable : 0) | (shared ? NodeOwned : 0);
  ++node_->holds;
  f = {&file_ops, open, 0, flags, false};
  return 0;
}

long vol_create(Node dir, const char *name, size_t len, NodeKind kind, uint32_t mode,
                const char *target, Node &made) {
  Lock lock;
  Volume &v = volume(dir);
  VNode *d = node(dir);
  if (!d || d->removed)
    return -ENOENT;
  if (v.readonly)
    return -EROFS;
  if (!len)
    return -EOPNOTSUPP; // O_TMPFILE: the host's server has no such call
  invalidate_listing(v);
  p9::Qid qid;
  long error;
  uint32_t created = 0;
  if (kind == NodeKind::Directory) {
    error = p9::mkdir(v.channel, d->fid, name, len, mode, qid);
  } else if (kind == NodeKind::Symlink) {
    error = p9::symlink(v.channel, d->fid, name, len, target, qid);
  } else {
    // Tlcreate turns a fid of the folder into the new file, opened: the open that
    // follows takes it, since a file made without write permission (0444) can be
    // written only through the descriptor that made it.
    if ((error = clone(v, *d, created)))
      return error;
    error = p9::lcreate(v.channel, created, name, len, O_RDWR | O_CREAT | O_EXCL, mode, qid);
    if (error) {
      fid_drop(v, created);
      return error;
    }
  }
  if (error)
    return error;
  VNode *n;
  if ((error = walk_name(*d, name, len, n))) {
    if (created)
      fid_drop(v, created);
    return error;
  }
  if (created) {
    if (n->created_fid)
      fid_drop(v, n->created_fid);
    n->created_fid = created;
  }
  made = node_id(*n);
  return 0;
}

long vol_remove(Node dir, const char *name, size_t len, bool folder) {
  Lock lock;
  Volume &v = volume(dir);
  VNode *d = node(dir);
  if (!d)
    return -ENOENT;
  if (v.readonly)
    return -EROFS;
  invalidate_listing(v);
  if (long error = p9::unlinkat(v.channel, d->fid, name, len, folder))
    return error;
  if (VNode *gone = find_child(*d, name, len))
    forget(*gone);
  return 0;
}

long vol_rename(Node dir, const char *name, size_t len, Node to_dir, const char *to_name,
                size_t to_len) {
  Lock lock;
  Volume &v = volume(dir);
  VNode *from = node(dir), *to = node(to_dir);
  if (!from || !to)
    return -ENOENT;
  if (&volume(to_dir) != &v)
    return -EXDEV;
  if (v.readonly)
    return -EROFS;
  invalidate_listing(v);
  if (long error = p9::renameat(v.channel, from->fid, name, len, to->fid, to_name, to_len))
    return error;
  VNode *moved = find_child(*from, name, len), *replaced = find_child(*to, to_name, to_len);
  if (replaced && replaced != moved)
    forget(*replaced);
  if (moved)
    move_node(*moved, *to, to_name, to_len);
  return 0;
}

long vol_link(Node n, Node dir, const char *name, size_t len) {
  Lock lock;
  Volume &v = volume(dir);
  VNode *file = node(n), *d = node(dir);
  if (!file || !d)
    return -ENOENT;
  if (&volume(n) != &v)
    return -EXDEV;
  if (v.readonly)
    return -EROFS;
  invalidate_listing(v);
  return p9::link(v.channel, d->fid, file->fid, name, len);
}

long vol_statfs(Node n, struct statfs *st) {
  Lock lock;
  VNode *v = node(n);
  p9::StatFs s;
  if (!v)
    return -ENOENT;
  if (long error = p9::statfs(volume(n).channel, v->fid, s))
    return error;
  st->f_type = 0x01021997; // V9FS_MAGIC, as Linux's 9p client reports
  st->f_bsize = st->f_frsize = s.bsize;
  st->f_blocks = long(s.blocks);
  st->f_bfree = long(s.bfree);
  st->f_bavail = long(s.bavail);
  st->f_files = long(s.files);
  st->f_ffree = long(s.ffree);
  st->f_namelen = s.namelen;
  st->f_flags = volume(n).readonly ? 1 : 0; // ST_RDONLY
  return 0;
}

long set_attr(Node n, const p9::SetAttr &a) {
  Lock lock;
  VNode *v = node(n);
  if (!v)
    return -ENOENT;
  if (volume(n).readonly)
    return -EROFS;
  return p9::setattr(volume(n).channel, v->fid, a);
}

long vol_set_mode(Node n, uint32_t mode) {
  p9::SetAttr a = {};
  a.valid = p9::SetMode;
  a.mode = mode & 07777;
  return set_attr(n, a);
}

long vol_set_mtime(Node n, int64_t ns) {
  p9::SetAttr a = {};
  a.valid = p9::SetMtime | p9::SetMtimeSet | p9::SetCtime;
  a.mtime_sec = ns / 1000000000;
  a.mtime_nsec = ns % 1000000000;
  return set_attr(n, a);
}

void vol_held(Node n) {
  if (VNode *v = node(n))
    ++v->holds;
}

void vol_closed(Node n) {
  Lock lock; // letting go may clunk
  if (VNode *v = node(n); v && v->holds) {
    --v->holds;
    let_go(*v);
  }
}

long vol_sync(OpenFile &open, bool data_only) {
  Lock lock;
  if (!open.references)
    return 0; // closed while sync waited for the lock: its fid is another's now
  Volume &v = volume(open.node);
  VNode *n = node(open.node);
  if (!n)
    return -EIO;
  if (n->pages && writable(open)) {
    p9::Attr a;
    if (long error = p9::getattr(v.channel, fid_of(open), a))
      return error;
    if (long error = write_back(*n, fid_of(open), a.size))
      return error;
  }
  if (fid_of(open)) {
    long error = p9::fsync(v.channel, fid_of(open), data_only);
    p9::Attr a; // crash tests replay only what was synced (uk.sync_log)
    if (!error && boot_option("sync_log") && !p9::getattr(v.channel, fid_of(open), a))
      print("ukc++: synced inode %llu size %llu\n", (unsigned long long)a.qid.path,
            (unsigned long long)a.size);
    return error;
  }
  uint32_t fid; // a folder's description has no fid of its own: open one to sync
  if (long error = clone(v, *n, fid))
    return error;
  long error = p9::lopen(v.channel, fid, O_RDONLY | O_DIRECTORY);
  if (!error)
    error = p9::fsync(v.channel, fid, data_only);
  fid_drop(v, fid);
  return error;
}

// The files' operations: their object is an OpenFile whose handle is the opened fid.

OpenFile &open_of(const File &f) { return *static_cast<OpenFile *>(f.object); }

/// The description of F, kept for the call: F is a descriptor's, which another thread
/// may close or replace while this one waits for the host.
struct Using {
  OpenFile &open;
  explicit Using(const File &f) : open(open_of(f)) { ++open.references; }
  ~Using() {
    File f = {nullptr, &open, 0, 0, false};
    open_file_release(f); // the last reference, if the descriptor went meanwhile
  }
};

long pread_at(OpenFile &open, char *buf, size_t len, uint64_t offset) {
  Lock lock;
  Volume &v = volume(open.node);
  size_t done = 0;
  while (done < len) {
    size_t want = len - done;
    long got = p9::read(v.channel, fid_of(open), offset + done, buf + done, want);
    if (got < 0)
      return done ? long(done) : got;
    done += size_t(got);
    if (size_t(got) < want && size_t(got) < p9::io_size(v.channel))
      break; // the end of the file: asking again would cost a round trip for nothing
  }
  if (VNode *n = node(open.node); n && n->pages)
    overlay_pages(*n, buf, done, offset);
  return long(done);
}

long pwrite_at(OpenFile &open, const char *buf, size_t len, uint64_t offset) {
  Lock lock;
  Volume &v = volume(open.node);
  size_t done = 0;
  while (done < len) {
    long put = p9::write(v.channel, fid_of(open), offset + done, buf + done, len - done);
    if (put <= 0) {
      if (!done)
        return put ? put : -EIO;
      break;
    }
    done += size_t(put);
  }
  if (VNode *n = node(open.node); n && n->pages)
    update_pages(*n, buf, done, offset);
  return long(done);
}

/// The file's size on the host now.
long size_of(OpenFile &open, uint64_t &size) {
  Lock lock;
  p9::Attr a;
  if (long error = p9::getattr(volume(open.node).channel, fid_of(open), a))
    return error;
  size = a.size;
  return 0;
}

long file_pread(File &f, char *buf, size_t len, uint64_t offset) {
  Using use(f);
  return pread_at(use.open, buf, len, offset);
}

long file_pwrite(File &f, const char *buf, size_t len, uint64_t offset) {
  Using use(f);
  return pwrite_at(use.open, buf, len, offset);
}

long file_write(File &f, const char *buf, size_t len) {
  bool append = f.flags & O_APPEND;
  Using use(f);
  OpenFile &open = use.open;
  if (append)
    if (long error = size_of(open, open.offset))
      return error;
  long n = pwrite_at(open, buf, len, open.offset);
  if (n > 0)
    open.offset += uint64_t(n);
  return n;
}

long file_seek(File &f, int64_t offset, int whence) {
  uint64_t size = 0;
  if (whence != SEEK_SET && whence != SEEK_CUR) {
    Using use(f);
    if (long error = size_of(use.open, size))
      return error;
    File kept = {f.ops, &use.open, 0, 0, false}; // F may be another file by now
    return open_file_seek(kept, offset, whence, size);
  }
  return open_file_seek(f, offset, whence, size);
}

void file_stat(const File &f, struct stat *st) {
  Using use(f);
  Lock lock; // the opened fid: an unlinked file's attributes are still there
  p9::Attr a;
  if (!p9::getattr(volume(use.open.node).channel, fid_of(use.open), a))
    fill_stat(use.open.node, a, st);
}

long file_truncate(File &f, uint64_t size) {
  Using use(f);
  Lock lock;
  OpenFile &open = use.open;
  p9::SetAttr a = {};
  a.valid = p9::SetSize;
  a.size = size;
  if (long error = p9::setattr(volume(open.node).channel, fid_of(open), a))
    return error;
  if (VNode *n = node(open.node))
    cut_pages(*n, size);
  return 0;
}

uint64_t file_page(File &f, uint64_t index) {
  Using use(f);
  Lock lock;
  VNode *n = node(use.open.node);
  return n ? shared_page(*n, fid_of(use.open), index) : 0;
}

/// The description's end (its last descriptor closed and its last mapping gone): the
/// mapped pages written back, its fid closed.
void vol_last_close(OpenFile &open) {
  Lock lock;
  Volume &v = volume(open.node);
  VNode *n = node(open.node);
  p9::Attr a;
  if (n && n->pages && writable(open) && !p9::getattr(v.channel, fid_of(open), a))
    write_back(*n, fid_of(open), a.size);
  if (!(open.handle & NodeOwned))
    fid_drop(v, fid_of(open));
}

const FileOps file_ops = {.read = open_file_read,
                          .write = file_write,
                          .retain = open_file_retain,
                          .release = open_file_release,
                          .mode = S_IFREG | 0644,
                          .pread = file_pread,
                          .seek = file_seek,
                          .stat = file_stat,
                          .pwrite = file_pwrite,
                          .truncate = file_truncate,
                          .page = file_page};

const FileSystem volume_fs = {
    .name = "9p",
    .root = nullptr, // each volume's copy answers with its own root (set at mount)
    .lookup = vol_lookup,
    .parent = vol_parent,
    .name_of = vol_name,
    .kind = vol_kind,
    .stat = vol_stat,
    .link_target = vol_target,
    .readdir = vol_readdir,
    .open = vol_open,
    .create = vol_create,
    .remove = vol_remove,
    .rename = vol_rename,
    .set_mode = vol_set_mode,
    .set_mtime = vol_set_mtime,
    .held = vol_held,
    .closed = vol_closed,
    .last_close = vol_last_close,
    .sync = vol_sync,
    .link = vol_link,
    .statfs = vol_statfs,
    .read_only = [](Node n) { return volume(n).readonly; },
};

/// Where a volume goes: from the manifest (mounts: { PATH: { volume: TAG } }) or the
/// boot options (uk.mount=TAG:PATH[:ro], which ukrun passes for --volume).
struct Plan {
  const char *tag, *path;
  bool readonly, mounted;
};
constexpr int MaxPlans = 16;
Plan plans[MaxPlans];
int plan_count;
char option_text[2048];
size_t option_used;

void add_plan(const char *tag, const char *path, bool readonly) {
  for (int i = 0; i < plan_count; ++i)
    if (same_name(plans[i].tag, tag, strlen(tag))) {
      plans[i] = {tag, path, readonly, false};
      return;
    }
  if (plan_count < MaxPlans)
    plans[plan_count++] = {tag, path, readonly, false};
}

/// Splits a boot option's "TAG:PATH[:ro]" into a copy.
void plan_from_option(const char *value) {
  size_t len = strlen(value);
  if (option_used + len + 1 > sizeof option_text)
    return;
  char *copy = option_text + option_used;
  memcpy(copy, value, len + 1);
  option_used += len + 1;
  char *colon = copy;
  while (*colon && *colon != ':')
    ++colon;
  if (!*colon || colon == copy || colon[1] != '/') {
    print("ukc++: ignoring the boot option uk.mount=%s: it is TAG:/PATH[:ro]\n", value);
    return;
  }
  *colon = 0;
  bool readonly = len > 3 && !memcmp(copy + len - 3, ":ro", 3);
  if (readonly)
    copy[len - 3] = 0;
  add_plan(copy, colon + 1, readonly);
}

/// Connects to the Index-th device of the transport and mounts it as Plan says.
using Transact = long (*)(unsigned, const void *, size_t, void *, size_t);

bool start(Transact transact, unsigned device, Plan &plan) {
  Volume &v = volumes[volume_count];
  uint64_t chunk = chunk_alloc();
  if (!chunk || !nodes_init())
    return false;
  auto *memory = static_cast<uint8_t *>(phys_to_virt(chunk));
  v.fs = volume_fs;
  v.fs.root = roots[volume_count];
  v.channel = {transact, device, Msize, memory, memory + Msize};
  v.dir_buffer = memory + 2 * Msize;
  v.readonly = plan.readonly;
  size_t tag_len = strlen(plan.tag);
  memcpy(v.tag, plan.tag, tag_len < sizeof v.tag ? tag_len + 1 : 0);
  p9::Qid qid;
  uint32_t fid = fid_new(v);
  if (long error = p9::connect(v.channel, Msize); error) {
    print("ukc++: volume '%s' does not speak 9P2000.L (error %ld)\n", plan.tag, -error);
    return false;
  }
  if (long error = p9::attach(v.channel, fid, qid); error || !(qid.type & p9::QidDirectory)) {
    print("ukc++: volume '%s' could not be attached (error %ld)\n", plan.tag, -error);
    return false;
  }
  VNode *root = add_root(v, fid, qid);
  if (!root)
    return false;
  v.root = index_of(*root);
  ++volume_count;
  if (long error = mount(plan.path, node_id(*root))) {
    print("ukc++: volume '%s' cannot be mounted at '%s' (error %ld)\n", plan.tag, plan.path,
          -error);
    return false;
  }
  plan.mounted = true;
  return true;
}

} // namespace
} // namespace uk::volumes

namespace uk {

void mount_volumes() {
  using namespace volumes;
  const uk_manifest &m = manifest();
  for (uint32_t i = 0; i < m.volume_count; ++i) {
    uk_manifest_volume entry;
    if (manifest_copy(m.volumes + i * uint32_t(sizeof entry), &entry, sizeof entry))
      add_plan(manifest_string(entry.name), manifest_string(entry.path), entry.readonly);
  }
  for (int i = 0; const char *option = boot_option("mount", i); ++i)
    plan_from_option(option);
  // The volumes of the hypervisor that booted us: the built-in monitor's by hypercall,
  // QEMU's virtio-9p devices.
  char tag[32];
  Transact transact = platform->volume_transact;
  for (unsigned device = 0;
       platform->volume_tag && platform->volume_tag(device, tag, sizeof tag); ++device) {
    Plan *plan = nullptr;
    for (int i = 0; i < plan_count; ++i)
      if (same_name(plans[i].tag, tag, strlen(tag)))
        plan = &plans[i];
    if (!plan)
      print("ukc++: volume device '%s' is not mounted: neither the manifest nor uk.mount= "
            "names it\n",
            tag);
    else if (volume_count == MaxVolumes || !start(transact, device, *plan))
      print("ukc++: volume '%s' is left out\n", tag);
  }
  for (int i = 0; i < plan_count; ++i)
    if (!plans[i].mounted) {
      print(
          "ukc++: volume '%s' (for %s) is not bound: run with ukrun --volume %s=HOST_FOLDER\n",
          plans[i].tag, plans[i].path, plans[i].tag);
      exit_program(ExitKind::Panic, 125);
    }
}

} // namespace uk
