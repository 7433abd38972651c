// HostFile: openat2 with the confining resolve flags, identities, reopening by name.
#include "HostFile.h"

#include "Protocol.h"

#include <cerrno>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

namespace ukcxx::volume {

Node::~Node() {
  if (Fd >= 0)
    close(Fd);
  Registry.erase(this);
}

p9::Qid Node::qid() const { return qidOf(Mode, Ino); }

p9::Qid qidOf(uint32_t Mode, uint64_t Ino) {
  p9::Qid Q;
  Q.Type = S_ISDIR(Mode) ? p9::QidDirectory : S_ISLNK(Mode) ? p9::QidSymlink : p9::QidFile;
  Q.Path = Ino; // one file system (RESOLVE_NO_XDEV): the inode alone is unique
  return Q;
}

int checkName(const std::string &Name) {
  if (Name.empty() || Name == "." || Name == "..")
    return EINVAL;
  if (Name.size() > 255)
    return ENAMETOOLONG;
  if (Name.find('/') != std::string::npos || Name.find('\0') != std::string::npos)
    return EINVAL;
  return 0;
}

int openIn(int DirFd, const char *Name, uint64_t Flags, uint64_t Mode) {
  open_how How = {};
  How.flags = Flags | O_NOFOLLOW | O_CLOEXEC;
  // openat2 refuses O_PATH with anything but O_DIRECTORY, O_NOFOLLOW and O_CLOEXEC;
  // an O_PATH handle opens nothing anyway.
  if (!(Flags & O_PATH))
    How.flags |= O_NOCTTY | O_NONBLOCK;
  How.mode = (Flags & (O_CREAT | O_TMPFILE)) ? Mode : 0;
  How.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS;
  for (;;) {
    long Fd = syscall(SYS_openat2, DirFd, Name, &How, sizeof How);
    if (Fd >= 0)
      return int(Fd);
    // EAGAIN: a rename raced with the lookup; the kernel asks to try again.
    if (errno != EAGAIN && errno != EINTR)
      return -errno;
  }
}

int identify(int Fd, const char *Name, uint64_t &Dev, uint64_t &Ino, uint32_t &Mode) {
  struct statx S;
  int Flags = AT_SYMLINK_NOFOLLOW | (*Name ? 0 : AT_EMPTY_PATH);
  if (statx(Fd, Name, Flags, STATX_TYPE | STATX_INO, &S) < 0)
    return -errno;
  Dev = makedev(S.stx_dev_major, S.stx_dev_minor);
  Ino = S.stx_ino;
  Mode = S.stx_mode & S_IFMT;
  return 0;
}

int reopen(const Node &N, int Flags) {
  Flags &= O_ACCMODE | O_APPEND | O_DSYNC | O_SYNC;
  if (S_ISDIR(N.Mode))
    return openIn(N.Fd, ".", Flags | O_DIRECTORY);
  if (S_ISLNK(N.Mode))
    return -ELOOP;
  if (!S_ISREG(N.Mode) || !N.Parent)
    return -EACCES;
  int Fd = openIn(N.Parent->Fd, N.Name.c_str(), Flags);
  if (Fd < 0)
    return Fd == -ENXIO ? -EACCES : Fd; // ENXIO: a FIFO or socket now has the name
  uint64_t Dev, Ino;
  uint32_t Mode;
  int Error = identify(Fd, "", Dev, Ino, Mode);
  if (!Error && (Dev != N.Dev || Ino != N.Ino))
    Error = -ESTALE;
  else if (!Error && !S_ISREG(Mode))
    Error = -EACCES;
  if (Error) {
    close(Fd);
    return Error;
  }
  return Fd;
}

int checkStillNamed(const Node &N) {
  if (!N.Parent)
    return -EBUSY; // the root has no name to act on
  uint64_t Dev, Ino;
  uint32_t Mode;
  if (int Error = identify(N.Parent->Fd, N.Name.c_str(), Dev, Ino, Mode))
    return Error;
  return Dev == N.Dev && Ino == N.Ino ? 0 : -ESTALE;
}

} // namespace ukcxx::volume
