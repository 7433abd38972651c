// vfs.h: paths to files: what a file system provides, the mount table, the path walk,
// and the open-file descriptions that files of a file system share through dup.
#pragma once

#include "file.h"

#include "uk/vm.h"

struct statfs;

namespace uk {

struct FileSystem;
struct OpenFile;

constexpr size_t MaxName = 255; // bytes in one path component, as Linux

/// A file, folder or symlink of a mounted file system: which one, and its number there.
struct Node {
  const FileSystem *fs = nullptr;
  uint64_t id = 0;
  bool operator==(const Node &) const = default;
};

enum class NodeKind : uint8_t { Directory, File, Symlink, Device };

/// A directory entry, as readdir hands it out.
struct DirEntry {
  const char *name;
  size_t name_len;
  Node node;
  NodeKind kind;
  /// Where the next entry is (readdir's index for it); 0: Index + 1. A file system
  /// whose entries come and go gives each a stable place, so that removing entries
  /// while listing skips none.
  uint64_t next = 0;
  /// The inode number getdents shows; 0: Node's (a file system whose entries are
  /// not nodes yet gives it here).
  uint64_t ino = 0;
};

/// What a file system does; every call gets nodes of this file system only.
struct FileSystem {
  const char *name;
  Node (*root)();
  /// Looks Name (Len bytes, no '/') up in folder Dir: 0, -ENOENT, ...
  long (*lookup)(Node dir, const char *name, size_t len, Node &found);
  /// The folder holding N (the root holds itself), and N's name there.
  Node (*parent)(Node n);
  const char *(*name_of)(Node n);
  NodeKind (*kind)(Node n);
  void (*stat)(Node n, struct stat *st);
  /// A symlink's target (NUL-terminated, kernel memory), or null if it cannot be read.
  const char *(*link_target)(Node n);
  /// The entry of folder Dir at Index or the first after it ("." and ".." are the
  /// walk's); false past the end.
  bool (*readdir)(Node dir, uint64_t index, DirEntry &entry);
  /// Opens N (not a folder) for Flags into F: its ops and object.
  long (*open)(Node n, unsigned flags, File &f);

  // Changes: null in a read-only file system (the calls then fail with EROFS).
  /// Makes Name (Len bytes) in folder Dir: a file, a folder, or a symlink to Target.
  /// Len 0 makes a file with no name (O_TMPFILE), gone when its last description is.
  long (*create)(Node dir, const char *name, size_t len, NodeKind kind, uint32_t mode,
                 const char *target, Node &made) = nullptr;
  /// Removes Name from folder Dir, with unlink's rules, or rmdir's if Folder.
  long (*remove)(Node dir, const char *name, size_t len, bool folder) = nullptr;
  /// Moves Name in Dir to To_name in To_dir, replacing what is there as rename does.
  long (*rename)(Node dir, const char *name, size_t len, Node to_dir, const char *to_name,
                 size_t to_len) = nullptr;
  /// Sets N's permission bits (chmod), or its modification time in ns (utimensat).
  long (*set_mode)(Node n, uint32_t mode) = nullptr;
  long (*set_mtime)(Node n, int64_t ns) = nullptr;
  /// Something holds folder N (an open description, the working directory), and
  /// lets it go: a removed folder or file lives until the last holder lets go.
  void (*held)(Node n) = nullptr;
  /// N's last open description was closed, or a holder let folder N go (a removed
  /// file's data can go now).
  void (*closed)(Node n) = nullptr;
  /// Open description Open has no reference left (its last descriptor closed and its
  /// last mapping gone): what the file system keeps for it goes (before closed()).
  void (*last_close)(OpenFile &open) = nullptr;
  /// fsync (fdatasync if Data_only) of an open file or folder: what was written reaches
  /// stable storage. Null: there is nothing to wait for (memory, read-only).
  long (*sync)(OpenFile &open, bool data_only) = nullptr;
  /// Gives file N another name, Name (Len bytes) in folder Dir (link()).
  long (*link)(Node n, Node dir, const char *name, size_t len) = nullptr;
  /// statfs: sizes and flags (type and the rest are preset); null: the preset answer.
  long (*statfs)(Node n, struct statfs *out) = nullptr;
  /// Whether N's file system refuses every change although it has the calls (a volume
  /// mounted read-only); null: it refuses them only by having no create.
  bool (*read_only)(Node n) = nullptr;
};

/// True if Name (NUL-terminated) is the path component Component (Len bytes).
inline bool same_name(const char *name, const char *component, size_t len) {
  return strlen(name) == len && !memcmp(name, component, len);
}

/// An open file or folder of a file system: what descriptors refer to through dup and
/// fork-less sharing, with its offset (File::object of such files).
struct OpenFile {
  FileObject base;
  Node node;
  uint64_t offset;
  uint32_t references;
  uint64_t handle;    // the file system's own, for this description (a 9P fid)
  MappingOwner owner; // for the shared mappings of the file: each holds a reference
};

/// A new description of N with one reference, or null when all are in use.
OpenFile *open_file_new(Node n);
/// fsync of every open description (of file system Only, if not null): sync, syncfs.
long sync_open_files(const FileSystem *only);
/// retain and release for FileOps of files whose object is an OpenFile.
void open_file_retain(File &f);
void open_file_release(File &f);
/// read: pread at the description's offset, which moves on.
long open_file_read(File &f, char *buf, size_t len);
/// pread of a file whose bytes are Size bytes at Data, in kernel memory (the packed
/// tree's files, the built-in /etc).
inline long read_bytes(const void *data, uint64_t size, char *buf, size_t len,
                       uint64_t offset) {
  if (offset >= size)
    return 0;
  if (len > size - offset)
    len = size - offset;
  memcpy(buf, static_cast<const char *>(data) + offset, len);
  return long(len);
}
/// fstat: the node's stat.
void open_file_stat(const File &f, struct stat *st);
/// lseek for files with a size: SEEK_SET, SEEK_CUR, SEEK_END, SEEK_DATA, SEEK_HOLE.
long open_file_seek(File &f, int64_t offset, int whence, uint64_t size);

/// Opens node N with Flags (O_ACCMODE, O_DIRECTORY...) into F: a new description.
long open_node(Node n, uint64_t flags, File &f);

/// The node a descriptor's file is, if it is one of a file system (a folder to walk
/// from, for the *at calls and fchdir).
bool file_node(const File &f, Node &n);

/// Writes N's absolute path into Out (Size bytes) and returns its length + 1; -ERANGE
/// if it does not fit, -ENOENT for a removed folder (or what is in one).
long node_path(Node n, char *out, size_t size);

// The mount table (mounts.cpp).
/// The root folder; the first call mounts /dev, /proc, /tmp and the volumes.
Node root();
/// Mounts folder Top at absolute Path, making up empty folders on the way for the
/// names that do not exist; a later mount on a name hides an earlier one.
long mount(const char *path, Node top);
/// The top of what is mounted on Name (Len bytes) in folder Dir, if anything is.
bool mounted_on(Node dir, const char *name, size_t len, Node &top);
/// If N is the top of a mount: the folder and name it is mounted on.
bool mount_point(Node n, Node &parent, const char *&name);
/// The K-th mount in folder Dir, as a directory entry (next left 0).
bool mount_in(Node dir, uint64_t k, DirEntry &e);
/// Mounts the volumes (fs/volumes.cpp), if the fs component is there.
[[gnu::weak]] void mount_volumes();

/// The file system packed into the image (fs/tree.cpp), if the fs component is there.
[[gnu::weak]] const FileSystem *image_tree();

/// /tmp, in memory (fs/tmpfs.cpp), if the fs component is there.
[[gnu::weak]] const FileSystem *temporary_files();

/// The built-in /etc for name lookups (net/etc.cpp), if the net component is there.
[[gnu::weak]] const FileSystem *etc_files();

/// The devices under /dev and the descriptors under /proc/self (devices.cpp).
extern const FileSystem dev_fs, proc_fs;
/// For the walk: if N is /proc/self/fd/K of a file system's file or folder, that node
/// (Linux's magic links lead to the open file itself).
bool descriptor_node(Node n, Node &opened);
/// For procfs: opens descriptor Fd's file again (as /proc/self/fd/N does).
long reopen_descriptor(int fd, unsigned flags, File &f);

} // namespace uk
