// HostFile: how the volume server touches the host's file system, confined to a volume.
//
// Every name the guest sends is one validated path component, resolved by openat2 in
// a folder the server already holds, with RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS |
// RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS and O_NOFOLLOW: the kernel looks up exactly
// that entry, follows no symbolic link, crosses no mount, and ".." never reaches the
// kernel (the server keeps each file's parent, as a kernel's dentry does). The other
// calls (mkdirat, unlinkat, renameat2, symlinkat, linkat, readlinkat, statx) act on
// one component in a held folder and never follow a final symbolic link. So a host
// folder's symbolic links are data the guest reads, never a way out.
#pragma once

#include "Wire.h"

#include <cstdint>
#include <memory>
#include <string>
#include <sys/stat.h>
#include <unordered_set>

namespace ukcxx::volume {

/// A file the guest has reached: one host handle, and where it was reached from.
struct Node {
  int Fd = -1;                  // O_PATH handle (or, for a file the guest created, its
                                // open descriptor): the file itself, whatever its name
  uint64_t Dev = 0, Ino = 0;    // its identity, to tell when a name means another file
  uint32_t Mode = 0;            // its type (S_IFMT bits)
  std::shared_ptr<Node> Parent; // the folder it was reached from; null for the root
  std::string Name;             // its name there

  Node(std::unordered_set<Node *> &Registry) : Registry(Registry) { Registry.insert(this); }
  Node(const Node &) = delete;
  ~Node();

  bool isDirectory() const { return S_ISDIR(Mode); }
  p9::Qid qid() const;

private:
  std::unordered_set<Node *> &Registry; // every live node, to rename them
};

/// The qid of a file of mode Mode (its type bits) and inode Ino.
p9::Qid qidOf(uint32_t Mode, uint64_t Ino);

/// Checks a name the guest sends: one component, not "." or "..", no '/', no NUL.
/// Returns 0 or the errno to answer.
int checkName(const std::string &Name);

/// Opens Name in folder DirFd as described above, with Flags (O_NOFOLLOW, O_CLOEXEC,
/// O_NOCTTY and O_NONBLOCK added: a FIFO never blocks the monitor) and Mode. Returns
/// the descriptor or -errno.
int openIn(int DirFd, const char *Name, uint64_t Flags, uint64_t Mode = 0);

/// The identity and type of what Fd refers to (or of Name in folder Fd, without
/// following it). Returns 0 or -errno.
int identify(int Fd, const char *Name, uint64_t &Dev, uint64_t &Ino, uint32_t &Mode);

/// Opens N's file for I/O with Flags (access mode, O_APPEND, sync flags; not O_TRUNC,
/// which the caller applies once the file is known): a folder through its own handle,
/// a regular file by its name in its parent, then checked to be the same file
/// (ESTALE if the name now means another one). Anything else is refused: a symbolic
/// link with ELOOP, FIFOs, sockets and devices with EACCES. Returns the descriptor or
/// -errno.
int reopen(const Node &N, int Flags);

/// -ESTALE unless Name in N's parent is still N's file.
int checkStillNamed(const Node &N);

} // namespace ukcxx::volume
