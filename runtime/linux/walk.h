// walk.h: the path walk (vfs.cpp), as the system calls that take paths share it
// (open_files.cpp, path_calls.cpp).
#pragma once

#include "vfs.h"

#include "uk/syscall.h"

namespace uk {

constexpr int MaxLinks = 40; // symlinks followed in one walk, as Linux
constexpr size_t MaxPath = 4096;

/// The working directory; the first call sets it where the boot options or the
/// manifest say (uk.workdir=, fs: { workdir }).
Node working_directory();

bool is_root(Node n);
NodeKind kind(Node n);
/// The folder holding N, across mount points; the root holds itself.
Node parent(Node n);
const char *name_of(Node n);
bool is_mount_point(Node n);
void node_stat(Node n, struct stat *st);

/// One step of a walk: Name (Len bytes) in folder Dir, mounts first.
long step(Node dir, const char *name, size_t len, Node &found);
/// Resolves Path from folder At. Symlinks are followed, the last one only if Follow
/// (or if the path ends in '/'). Links counts the symlinks followed so far.
long walk(Node at, const char *path, bool follow, Node &out, int &links);
/// The folder a *at call starts from: the working directory, or Dirfd's folder.
long start_of(uint64_t dirfd, Node &start);
/// The length of the program's path at Addr, or -EFAULT, -ENOENT (empty), -ENAMETOOLONG.
long path_length(uint64_t addr);
/// Walks Path (kernel memory) from Dirfd, or from the root if it is absolute.
long walk_from(uint64_t dirfd, const char *path, bool follow, Node &out);
/// Resolves the program's path Path_addr from Dirfd (or from the root if absolute).
long resolve(uint64_t dirfd, uint64_t path_addr, bool follow, Node &out);
/// Splits the program's path Path_addr into the folder holding its last name (walked,
/// symlinks followed) and that name, for the calls that make, remove or rename it.
long resolve_last(uint64_t dirfd, uint64_t path_addr, Node &dir, const char *&name,
                  size_t &len);
/// ".", "..", or "/" (what cannot be made, removed or renamed by that name).
bool dot_or_dotdot(const char *name, size_t len);

/// The file mode creation mask (umask).
extern uint32_t umask_bits;

/// Held for the whole of a system call that takes a path: the walk's buffers are
/// static, and a walk may wait for a volume's host while another thread runs.
struct PathCall {
  PathCall();
  ~PathCall();
  PathCall(const PathCall &) = delete;
};

/// A system call that takes a path: UK_SYSCALL, run while it holds the PathCall.
#define UK_PATH_SYSCALL(name)                                                                  \
  static inline long sys_##name##_path(const SyscallArgs &args);                               \
  UK_SYSCALL(name) {                                                                           \
    PathCall call;                                                                             \
    return sys_##name##_path(args);                                                            \
  }                                                                                            \
  static inline long sys_##name##_path(const SyscallArgs &args)

} // namespace uk
