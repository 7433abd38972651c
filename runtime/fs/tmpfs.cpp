// tmpfs.cpp: /tmp, a file system in memory: folders, files with holes, symlinks;
// files removed while open live until their last description closes, and O_TMPFILE
// makes such a file from the start. Its pages count against the program's memory.
#include "vfs.h"

#include "uk/manifest.h"
#include "uk/memory.h"
#include "uk/paging.h"
#include "uk/time.h"

#include <asm-generic/errno.h>
#include <asm/fcntl.h>
#include <asm/stat.h>
#include <linux/stat.h>

namespace uk {
namespace {

extern const FileSystem tmp_fs;
constexpr uint32_t TmpDev = (0 << 8) | 40;
constexpr size_t NameMax = 255;
constexpr uint64_t PerFrame = PageSize / sizeof(uint64_t); // entries of a page table
constexpr uint64_t MaxFilePages = PerFrame * PerFrame;     // 1 GiB

struct TmpNode {
  NodeKind kind = NodeKind::File;
  uint32_t mode = 0;
  uint32_t links = 0;          // names it has (0: removed, or made by O_TMPFILE)
  uint32_t opens = 0;          // open descriptions
  TmpNode *parent = nullptr;   // the folder holding it (itself for the root)
  TmpNode *children = nullptr; // a folder's entries, oldest first
  TmpNode *next = nullptr;     // the next entry of its folder; or the next free node
  uint64_t place = 0;          // its place in its folder's listing: readdir's stable index
  uint64_t places = 0;         // a folder: the place its next entry gets
  uint64_t size = 0;           // bytes (a folder: its entry count)
  uint64_t *pages = nullptr;   // two-level table of data frames (physical), or null
  uint64_t data_pages = 0;     // data frames in it (st_blocks)
  int64_t mtime_ns = 0;
  uint64_t ino = 0;
  bool shared = false; // pages were mapped into the program (see cut_data)
  char name[NameMax + 1] = {};
};

TmpNode root_node = {
    .kind = NodeKind::Directory, .mode = 01777, .links = 1, .parent = &root_node, .ino = 1};
TmpNode *free_nodes;
uint64_t next_ino = 2;
uint64_t pages_used; // data and table frames, against the limit

TmpNode *tmp(Node n) { return reinterpret_cast<TmpNode *>(n.id); }
Node node_of(TmpNode *t) { return {&tmp_fs, reinterpret_cast<uint64_t>(t)}; }

/// The manifest's size (mounts: { /tmp: { tmpfs: SIZE } }), else half of the program's
/// memory, as Linux sizes a tmpfs by default.
uint64_t page_limit() {
  uint64_t size = manifest().fs_tmp_size;
  return (size ? size : memory_stats().total / 2) / PageSize;
}

void *frame() {
  if (pages_used >= page_limit())
    return nullptr;
  uint64_t phys = frame_alloc();
  if (!phys)
    return nullptr;
  ++pages_used;
  return phys_to_virt(phys);
}

void release_frame(void *v) {
  frame_free(reinterpret_cast<uint64_t>(v) - DirectMapBase);
  --pages_used;
}

TmpNode *new_node(NodeKind kind, uint32_t mode) {
  if (!free_nodes) { // carve a frame into nodes
    auto *page = static_cast<TmpNode *>(frame());
    if (!page)
      return nullptr;
    for (size_t i = 0; i < PageSize / sizeof(TmpNode); ++i) {
      page[i].next = free_nodes;
      free_nodes = &page[i];
    }
  }
  TmpNode *t = free_nodes;
  free_nodes = t->next;
  *t = {.kind = kind, .mode = mode & 07777, .mtime_ns = realtime_ns(), .ino = next_ino++};
  return t;
}

/// The kernel address of page Index of T's data, allocating it (and its table) if
/// Create; null for a hole, or when memory runs out.
uint8_t *data_page(TmpNode *t, uint64_t index, bool create) {
  if (index >= MaxFilePages)
    return nullptr;
  if (!t->pages && (!create || !(t->pages = static_cast<uint64_t *>(frame()))))
    return nullptr;
  uint64_t &leaf_entry = t->pages[index / PerFrame];
  if (!leaf_entry) {
    void *leaf = create ? frame() : nullptr;
    if (!leaf)
      return nullptr;
    leaf_entry = reinterpret_cast<uint64_t>(leaf);
  }
  uint64_t &page = reinterpret_cast<uint64_t *>(leaf_entry)[index % PerFrame];
  if (!page) {
    void *data = create ? frame() : nullptr;
    if (!data)
      return nullptr;
    page = reinterpret_cast<uint64_t>(data);
    ++t->data_pages;
  }
  return reinterpret_cast<uint8_t *>(page);
}

/// Frees T's data from byte Size on (whole pages), and zeroes the rest of the last.
void cut_data(TmpNode *t, uint64_t size) {
  if (!t->pages)
    return;
  // Pages the program may have mapped stay with the file, zeroed, while a description
  // is open (each shared mapping holds one): mapping and file must stay the same pages.
  bool mapped = t->shared && t->opens;
  uint64_t keep = align_up(size, PageSize) / PageSize;
  if (size % PageSize)
    if (uint8_t *last = data_page(t, size / PageSize, false))
      memset(last + size % PageSize, 0, PageSize - size % PageSize);
  for (uint64_t l = keep / PerFrame; l < PerFrame; ++l) {
    auto *leaf = reinterpret_cast<uint64_t *>(t->pages[l]);
    if (!leaf)
      continue;
    uint64_t first = l == keep / PerFrame ? keep % PerFrame : 0;
    for (uint64_t i = first; i < PerFrame; ++i)
      if (leaf[i] && mapped) {
        memset(reinterpret_cast<void *>(leaf[i]), 0, PageSize);
      } else if (leaf[i]) {
        release_frame(reinterpret_cast<void *>(leaf[i]));
        leaf[i] = 0;
        --t->data_pages;
      }
    if (mapped)
      continue;
    if (!first) {
      release_frame(leaf);
      t->pages[l] = 0;
    }
  }
  if (!keep && !mapped) {
    release_frame(t->pages);
    t->pages = nullptr;
  }
}

/// Frees T if nothing refers to it any more: no name, no open description.
void maybe_free(TmpNode *t) {
  if (t->links || t->opens || t == &root_node)
    return;
  cut_data(t, 0);
  t->next = free_nodes;
  free_nodes = t;
}

TmpNode *find(TmpNode *dir, const char *name, size_t len) {
  for (TmpNode *c = dir->children; c; c = c->next)
    if (strlen(c->name) == len && !memcmp(c->name, name, len))
      return c;
  return nullptr;
}

void link_into(TmpNode *dir, TmpNode *t, const char *name, size_t len) {
  memcpy(t->name, name, len);
  t->name[len] = 0;
  t->parent = dir;
  t->next = nullptr;
  t->place = dir->places++;
  TmpNode **end = &dir->children;
  while (*end)
    end = &(*end)->next;
  *end = t; // listed after the entries there are: a listing in progress sees it last
  ++t->links;
  ++dir->size;
  dir->mtime_ns = realtime_ns();
}

void unlink_from(TmpNode *dir, TmpNode *t) {
  for (TmpNode **at = &dir->children; *at; at = &(*at)->next)
    if (*at == t) {
      *at = t->next;
      break;
    }
  --t->links;
  --dir->size;
  dir->mtime_ns = realtime_ns();
}

Node tmp_root() { return node_of(&root_node); }

long tmp_lookup(Node dir, const char *name, size_t len, Node &found) {
  TmpNode *t = find(tmp(dir), name, len);
  if (!t)
    return -ENOENT;
  found = node_of(t);
  return 0;
}

Node tmp_parent(Node n) { return node_of(tmp(n)->parent); }
const char *tmp_name(Node n) { return tmp(n)->name; }
NodeKind tmp_kind(Node n) { return tmp(n)->kind; }

void tmp_stat(Node n, struct stat *st) {
  TmpNode *t = tmp(n);
  st->st_dev = TmpDev;
  st->st_ino = t->ino;
  st->st_nlink = t->kind == NodeKind::Directory && t->links ? 2 : t->links;
  st->st_mode = (t->kind == NodeKind::Directory ? S_IFDIR
                 : t->kind == NodeKind::Symlink ? S_IFLNK
                                                : S_IFREG) |
                t->mode;
  st->st_size = long(t->kind == NodeKind::Directory ? 4096 : t->size);
  st->st_blocks = long(t->kind == NodeKind::File ? t->data_pages * (PageSize / 512) : 0);
  st->st_mtime = st->st_ctime = st->st_atime = t->mtime_ns / 1000000000;
  st->st_mtime_nsec = st->st_ctime_nsec = st->st_atime_nsec =
      uint64_t(t->mtime_ns % 1000000000);
}

const char *tmp_target(Node n) {
  return reinterpret_cast<const char *>(data_page(tmp(n), 0, false));
}

bool tmp_readdir(Node dir, uint64_t index, DirEntry &e) {
  TmpNode *c = tmp(dir)->children;
  while (c && c->place < index) // places grow along the list
    c = c->next;
  if (!c)
    return false;
  e = {c->name, strlen(c->name), node_of(c), c->kind, c->place + 1};
  return true;
}

// Open files: the description's offset, O_APPEND, reads of holes as zeros.
TmpNode *open_node(const File &f) { return tmp(static_cast<const OpenFile *>(f.object)->node); }

long file_pread(File &f, char *buf, size_t len, uint64_t offset) {
  TmpNode *t = open_node(f);
  if (offset >= t->size)
    return 0;
  if (len > t->size - offset)
    len = t->size - offset;
  for (size_t done = 0; done < len;) {
    uint64_t at = offset + done, in_page = at % PageSize;
    size_t n = PageSize - in_page < len - done ? PageSize - in_page : len - done;
    const uint8_t *page = data_page(t, at / PageSize, false);
    if (page)
      memcpy(buf + done, page + in_page, n);
    else
      memset(buf + done, 0, n);
    done += n;
  }
  return long(len);
}

long file_pwrite(File &f, const char *buf, size_t len, uint64_t offset) {
  TmpNode *t = open_node(f);
  if (!len)
    return 0;
  if (offset >= MaxFilePages * PageSize || len > MaxFilePages * PageSize - offset)
    return -EFBIG;
  size_t done = 0;
  while (done < len) {
    uint64_t at = offset + done, in_page = at % PageSize;
    size_t n = PageSize - in_page < len - done ? PageSize - in_page : len - done;
    uint8_t *page = data_page(t, at / PageSize, true);
    if (!page)
      break;
    memcpy(page + in_page, buf + done, n);
    done += n;
  }
  if (offset + done > t->size)
    t->size = offset + done;
  if (done)
    t->mtime_ns = realtime_ns();
  return done ? long(done) : -ENOSPC;
}

long file_write(File &f, const char *buf, size_t len) {
  auto &open = *static_cast<OpenFile *>(f.object);
  if (f.flags & O_APPEND)
    open.offset = open_node(f)->size;
  long n = file_pwrite(f, buf, len, open.offset);
  if (n > 0)
    open.offset += uint64_t(n);
  return n;
}

long file_seek(File &f, int64_t offset, int whence) {
  return open_file_seek(f, offset, whence, open_node(f)->size);
}

long file_truncate(File &f, uint64_t size) {
  TmpNode *t = open_node(f);
  if (size > MaxFilePages * PageSize)
    return -EFBIG;
  if (size < t->size)
    cut_data(t, size);
  t->size = size; // growing leaves a hole, which reads as zeros
  t->mtime_ns = realtime_ns();
  return 0;
}

uint64_t file_page(File &f, uint64_t index) {
  TmpNode *t = open_node(f);
  uint8_t *page = data_page(t, index, true);
  if (!page)
    return 0;
  t->shared = true;
  return reinterpret_cast<uint64_t>(page) - DirectMapBase;
}

const FileOps file_ops = {.read = open_file_read,
                          .write = file_write,
                          .retain = open_file_retain,
                          .release = open_file_release,
                          .mode = S_IFREG | 0644,
                          .pread = file_pread,
                          .seek = file_seek,
                          .stat = open_file_stat,
                          .pwrite = file_pwrite,
                          .truncate = file_truncate,
                          .page = file_page,
                          .own_pages = true};

long tmp_open(Node n, unsigned flags, File &f) {
  OpenFile *open = open_file_new(n);
  if (!open)
    return -ENFILE;
  ++tmp(n)->opens;
  f = {&file_ops, open, 0, flags, false};
  return 0;
}

void tmp_held(Node n) { ++tmp(n)->opens; }

void tmp_closed(Node n) {
  TmpNode *t = tmp(n);
  if (t->opens)
    --t->opens;
  maybe_free(t);
}

long tmp_create(Node dir, const char *name, size_t len, NodeKind kind, uint32_t mode,
                const char *target, Node &made) {
  TmpNode *d = tmp(dir);
  if (!d->links)
    return -ENOENT; // a removed folder takes no new entries
  if (len > NameMax)
    return -ENAMETOOLONG;
  if (len && find(d, name, len))
    return -EEXIST;
  TmpNode *t = new_node(kind, mode);
  if (!t)
    return -ENOSPC;
  if (kind == NodeKind::Symlink) {
    size_t target_len = strlen(target);
    uint8_t *page = target_len < PageSize ? data_page(t, 0, true) : nullptr;
    if (!page) {
      maybe_free(t);
      return target_len < PageSize ? -ENOSPC : -ENAMETOOLONG;
    }
    memcpy(page, target, target_len + 1);
    t->size = target_len;
    t->mode = 0777;
  }
  if (len)
    link_into(d, t, name, len);
  else
    t->parent = d;
  made = node_of(t);
  return 0;
}

long tmp_remove(Node dir, const char *name, size_t len, bool folder) {
  TmpNode *t = find(tmp(dir), name, len);
  if (!t)
    return -ENOENT;
  if (folder && t->kind != NodeKind::Directory)
    return -ENOTDIR;
  if (!folder && t->kind == NodeKind::Directory)
    return -EISDIR;
  if (folder && t->children)
    return -ENOTEMPTY;
  unlink_from(tmp(dir), t);
  maybe_free(t);
  return 0;
}

bool inside(TmpNode *t, TmpNode *dir) { // is Dir T or below it?
  for (TmpNode *d = dir;; d = d->parent) {
    if (d == t)
      return true;
    if (d == &root_node)
      return false;
  }
}

long tmp_rename(Node dir, const char *name, size_t len, Node to_dir, const char *to_name,
                size_t to_len) {
  TmpNode *from = tmp(dir), *to = tmp(to_dir);
  TmpNode *t = find(from, name, len);
  if (!t)
    return -ENOENT;
  if (to_len > NameMax)
    return -ENAMETOOLONG;
  if (t->kind == NodeKind::Directory && inside(t, to))
    return -EINVAL; // into itself
  if (!to->links)
    return -ENOENT;
  if (TmpNode *old = find(to, to_name, to_len)) {
    if (old == t)
      return 0;
    bool old_folder = old->kind == NodeKind::Directory;
    if (old_folder != (t->kind == NodeKind::Directory))
      return old_folder ? -EISDIR : -ENOTDIR;
    if (old_folder && old->children)
      return -ENOTEMPTY;
    unlink_from(to, old);
    maybe_free(old);
  }
  unlink_from(from, t);
  link_into(to, t, to_name, to_len);
  return 0;
}

long tmp_set_mode(Node n, uint32_t mode) {
  tmp(n)->mode = mode & 07777;
  return 0;
}
long tmp_set_mtime(Node n, int64_t ns) {
  tmp(n)->mtime_ns = ns;
  return 0;
}

const FileSystem tmp_fs = {"tmpfs",    tmp_root,   tmp_lookup, tmp_parent,   tmp_name,
                           tmp_kind,   tmp_stat,   tmp_target, tmp_readdir,  tmp_open,
                           tmp_create, tmp_remove, tmp_rename, tmp_set_mode, tmp_set_mtime,
                           tmp_held,   tmp_closed};

} // namespace

const FileSystem *temporary_files() { return &tmp_fs; }

} // namespace uk
