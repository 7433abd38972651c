// tree.cpp: the file tree packed into the image (uk/abi/tree.h), read-only, read in
// place where the image was loaded: nothing is parsed or copied at boot.
#include "vfs.h"

#include "uk/abi/tree.h"
#include "uk/print.h"

#include <asm-generic/errno.h>
#include <asm/fcntl.h>
#include <asm/stat.h>
#include <linux/stat.h>

extern "C" const uint8_t __uk_tree_start[], __uk_tree_end[];

namespace uk {
namespace {

extern const FileSystem tree_fs;
constexpr uint32_t TreeDev = (0 << 8) | 30;

const uk_tree_header &header() {
  return *reinterpret_cast<const uk_tree_header *>(__uk_tree_start);
}

const uk_tree_node &node(Node n) {
  return reinterpret_cast<const uk_tree_node *>(__uk_tree_start + sizeof(uk_tree_header))[n.id];
}

const char *string_at(uint64_t offset) {
  return reinterpret_cast<const char *>(__uk_tree_start + header().names_offset + offset);
}

/// The linker gives an empty section without a tree. Only the header is checked here,
/// so that the cost does not grow with the tree; every index and offset is checked
/// where it is used (sane()), and a tree that fails is reported, not trusted.
bool tree_valid() {
  uint64_t size = uint64_t(__uk_tree_end - __uk_tree_start);
  if (!size)
    return false;
  const uk_tree_header &h = header();
  uint64_t nodes_end = sizeof h + uint64_t(h.node_count) * sizeof(uk_tree_node);
  bool ok = size >= sizeof h && h.magic == UK_TREE_MAGIC && h.version == UK_TREE_VERSION &&
            h.total_size <= size && h.node_count && nodes_end <= h.names_offset &&
            h.names_offset <= h.total_size && h.names_size &&
            h.names_size <= h.total_size - h.names_offset &&
            string_at(h.names_size - 1)[0] == 0 &&
            node({&tree_fs, 0}).kind == UK_TREE_DIRECTORY;
  if (!ok)
    print("ukc++: the image's file tree is damaged; it is not mounted\n");
  return ok;
}

/// True if node N's fields are in bounds (its entries, data or target); says once
/// when one is not.
bool sane(Node n) {
  const uk_tree_header &h = header();
  const uk_tree_node &t = node(n);
  bool ok = t.name < h.names_size && t.parent < h.node_count;
  if (t.kind == UK_TREE_DIRECTORY)
    ok = ok && t.first_or_data > n.id && t.first_or_data <= h.node_count &&
         t.size <= h.node_count - t.first_or_data;
  else if (t.kind == UK_TREE_FILE)
    ok = ok && t.first_or_data <= h.total_size && t.size <= h.total_size - t.first_or_data;
  else if (t.kind == UK_TREE_SYMLINK)
    ok = ok && t.first_or_data < h.names_size && t.size < h.names_size - t.first_or_data;
  else
    ok = false;
  static bool said;
  if (!ok && !said) {
    said = true;
    print("ukc++: the image's file tree is damaged (entry %lu)\n", n.id);
  }
  return ok;
}

Node tree_root() { return {&tree_fs, 0}; }

int compare(const char *name, const char *component, size_t len) {
  for (size_t i = 0; i < len; ++i) {
    if (!name[i] || uint8_t(name[i]) < uint8_t(component[i]))
      return -1;
    if (uint8_t(name[i]) > uint8_t(component[i]))
      return 1;
  }
  return name[len] ? 1 : 0;
}

long tree_lookup(Node dir, const char *name, size_t len, Node &found) {
  if (!sane(dir))
    return -EIO;
  const uk_tree_node &d = node(dir);
  uint64_t low = d.first_or_data, high = d.first_or_data + d.size;
  while (low < high) { // entries are sorted by name
    uint64_t mid = low + (high - low) / 2;
    if (!sane({&tree_fs, mid}))
      return -EIO;
    int order = compare(string_at(node({&tree_fs, mid}).name), name, len);
    if (!order) {
      found = {&tree_fs, mid};
      return 0;
    }
    if (order < 0)
      low = mid + 1;
    else
      high = mid;
  }
  return -ENOENT;
}

Node tree_parent(Node n) { return {&tree_fs, node(n).parent}; }
const char *tree_name(Node n) { return string_at(node(n).name); }

NodeKind tree_kind(Node n) {
  switch (node(n).kind) {
  case UK_TREE_DIRECTORY:
    return NodeKind::Directory;
  case UK_TREE_SYMLINK:
    return NodeKind::Symlink;
  default:
    return NodeKind::File;
  }
}

void tree_stat(Node n, struct stat *st) {
  const uk_tree_node &t = node(n);
  st->st_dev = TreeDev;
  st->st_ino = n.id + 1;
  st->st_nlink = t.kind == UK_TREE_DIRECTORY ? 2 : 1;
  st->st_mode = (t.kind == UK_TREE_DIRECTORY ? S_IFDIR
                 : t.kind == UK_TREE_SYMLINK ? S_IFLNK
                                             : S_IFREG) |
                t.mode;
  st->st_size = t.kind == UK_TREE_DIRECTORY ? 4096 : long(t.size);
  st->st_blocks = long(align_up(t.kind == UK_TREE_FILE ? t.size : 0, 512) / 512);
  st->st_mtime = t.mtime_ns / 1000000000;
  st->st_mtime_nsec = uint64_t(t.mtime_ns % 1000000000);
  st->st_atime = st->st_ctime = st->st_mtime;
  st->st_atime_nsec = st->st_ctime_nsec = st->st_mtime_nsec;
}

const char *tree_target(Node n) { return string_at(node(n).first_or_data); }

bool tree_readdir(Node dir, uint64_t index, DirEntry &e) {
  const uk_tree_node &d = node(dir);
  if (!sane(dir) || index >= d.size)
    return false;
  Node child = {&tree_fs, d.first_or_data + index};
  if (!sane(child))
    return false;
  const char *name = tree_name(child);
  e = {name, strlen(name), child, tree_kind(child)};
  return true;
}

// Regular files: read from the image, at the description's offset.
const uk_tree_node &file_node_of(const File &f) {
  return node(static_cast<const OpenFile *>(f.object)->node);
}

long file_pread(File &f, char *buf, size_t len, uint64_t offset) {
  const uk_tree_node &t = file_node_of(f);
  return read_bytes(__uk_tree_start + t.first_or_data, t.size, buf, len, offset);
}

/// A page of a page-aligned file's data, where it is in the image (which is mapped at
/// its physical address): mappings borrow it rather than copy it. 0 for a small file
/// (packed densely, its page is shared with others) or past the end.
uint64_t file_page(File &f, uint64_t index) {
  const uk_tree_node &t = file_node_of(f);
  if (t.size < UK_TREE_DATA_ALIGN || index >= align_up(t.size, PageSize) / PageSize)
    return 0;
  return reinterpret_cast<uint64_t>(__uk_tree_start + t.first_or_data) + index * PageSize;
}

long file_write(File &, const char *, size_t) { return -EBADF; } // opened read-only

long file_seek(File &f, int64_t offset, int whence) {
  return open_file_seek(f, offset, whence, file_node_of(f).size);
}

const FileOps file_ops = {.read = open_file_read,
                          .write = file_write,
                          .retain = open_file_retain,
                          .release = open_file_release,
                          .mode = S_IFREG | 0444,
                          .pread = file_pread,
                          .seek = file_seek,
                          .stat = open_file_stat,
                          .page = file_page,
                          .own_pages = true};

long tree_open(Node n, unsigned flags, File &f) {
  if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC))
    return -EROFS;
  if (!sane(n))
    return -EIO;
  OpenFile *open = open_file_new(n);
  if (!open)
    return -ENFILE;
  f = {&file_ops, open, 0, flags, false};
  return 0;
}

const FileSystem tree_fs = {"tree",    tree_root, tree_lookup, tree_parent,  tree_name,
                            tree_kind, tree_stat, tree_target, tree_readdir, tree_open};

} // namespace

const FileSystem *image_tree() {
  static const bool valid = tree_valid();
  return valid ? &tree_fs : nullptr;
}

} // namespace uk
