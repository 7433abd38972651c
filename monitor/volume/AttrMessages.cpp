// AttrMessages: attributes (getattr, setattr), the file system's figures (statfs) and
// symbolic links' targets (readlink).
#include "VolumeServer.h"

#include "Protocol.h"

#include <cerrno>
#include <climits>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

namespace ukcxx::volume {
namespace {

#ifndef SYS_fchmodat2
constexpr long SYS_fchmodat2 = 452; // Linux 6.6; not in Debian 12's headers
#endif

/// chmod of the file behind Fd (an O_PATH handle or an open descriptor). fchmodat2
/// with AT_EMPTY_PATH does it on the handle itself; kernels before 6.6 lack it, and
/// there the file is opened for the call.
int changeMode(const Node &N, int Fd, uint32_t Mode) {
  if (syscall(SYS_fchmodat2, Fd, "", Mode, AT_EMPTY_PATH) == 0)
    return 0;
  if (errno != ENOSYS && errno != EINVAL)
    return errno;
  if (fchmod(Fd, Mode) == 0)
    return 0;
  if (errno != EBADF) // EBADF: an O_PATH handle
    return errno;
  int Opened = reopen(N, O_RDONLY);
  if (Opened < 0)
    return -Opened;
  int Error = fchmod(Opened, Mode) < 0 ? errno : 0;
  close(Opened);
  return Error;
}

timespec timeField(bool Set, bool Given, uint64_t Seconds, uint64_t Nanoseconds) {
  timespec T = {};
  if (!Set)
    T.tv_nsec = UTIME_OMIT;
  else if (!Given)
    T.tv_nsec = UTIME_NOW; // the server's clock, as the protocol says
  else {
    T.tv_sec = time_t(Seconds);
    T.tv_nsec = long(Nanoseconds);
  }
  return T;
}

} // namespace

int VolumeServer::getattr(p9::Decoder &In, p9::Encoder &Out) {
  uint32_t Id = In.u32();
  In.u64(); // request_mask: everything basic is always returned
  if (!In.complete())
    return EINVAL;
  Fid *F = find(Id);
  if (!F)
    return EBADF;
  struct statx S;
  if (statx(F->fd(), "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS | STATX_BTIME,
            &S) < 0)
    return errno;
  bool Btime = S.stx_mask & STATX_BTIME;
  Out.u64(p9::GetattrBasic | (Btime ? p9::GetattrBtime : 0));
  Out.qid(qidOf(S.stx_mode, S.stx_ino));
  Out.u32(S.stx_mode);
  Out.u32(S.stx_uid);
  Out.u32(S.stx_gid);
  Out.u64(S.stx_nlink);
  Out.u64(makedev(S.stx_rdev_major, S.stx_rdev_minor));
  Out.u64(S.stx_size);
  Out.u64(S.stx_blksize);
  Out.u64(S.stx_blocks);
  const statx_timestamp Zero = {}, *Times[] = {&S.stx_atime, &S.stx_mtime, &S.stx_ctime,
                                               Btime ? &S.stx_btime : &Zero};
  for (const statx_timestamp *T : Times) {
    Out.u64(uint64_t(T->tv_sec));
    Out.u64(T->tv_nsec);
  }
  Out.u64(0); // gen
  Out.u64(0); // data_version
  return 0;
}

int VolumeServer::setattr(p9::Decoder &In, p9::Encoder &Out) {
  uint32_t Id = In.u32(), Valid = In.u32(), Mode = In.u32(), Uid = In.u32(), Gid = In.u32();
  uint64_t Size = In.u64(), Atime = In.u64(), AtimeNs = In.u64(), Mtime = In.u64(),
           MtimeNs = In.u64();
  if (!In.complete() || (Valid & ~p9::SetKnown))
    return EINVAL;
  Fid *F = find(Id);
  if (!F)
    return EBADF;
  if (!Valid)
    return 0;
  if (Options.ReadOnly)
    return EROFS;
  const Node &N = *F->File;
  bool Times = Valid & (p9::SetAtime | p9::SetMtime);
  if (((Valid & p9::SetAtimeSet) && AtimeNs >= 1000000000) ||
      ((Valid & p9::SetMtimeSet) && MtimeNs >= 1000000000) || Atime > INT64_MAX ||
      Mtime > INT64_MAX || Size > INT64_MAX)
    return EINVAL;
  // Ownership: the host user running the monitor owns the volume's files; the guest
  // has no host identities to give them. Only "no change" succeeds.
  if (Valid & (p9::SetUid | p9::SetGid)) {
    struct statx S;
    if (statx(F->fd(), "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_UID | STATX_GID, &S) < 0)
      return errno;
    if (((Valid & p9::SetUid) && Uid != S.stx_uid) ||
        ((Valid & p9::SetGid) && Gid != S.stx_gid))
      return EPERM;
  }
  // In Linux's order: mode, size, then times (a truncation sets mtime; given times win).
  if (Valid & p9::SetMode) {
    if (S_ISLNK(N.Mode))
      return EOPNOTSUPP;
    mutate("chmod");
    if (int Error = changeMode(N, F->fd(), Mode & 07777))
      return Error;
  }
  if (Valid & p9::SetSize) {
    if (N.isDirectory())
      return EISDIR;
    if (!S_ISREG(N.Mode))
      return EINVAL;
    int Fd = F->writable() ? F->OpenFd : reopen(N, O_WRONLY);
    if (Fd < 0)
      return -Fd;
    mutate("ftruncate");
    int Error = ftruncate(Fd, off_t(Size)) < 0 ? errno : 0;
    if (Fd != F->OpenFd)
      close(Fd);
    if (Error)
      return Error;
  }
  if (Times) {
    timespec T[2] = {timeField(Valid & p9::SetAtime, Valid & p9::SetAtimeSet, Atime, AtimeNs),
                     timeField(Valid & p9::SetMtime, Valid & p9::SetMtimeSet, Mtime, MtimeNs)};
    mutate("utimensat");
    if (utimensat(F->fd(), "", T, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
      return errno;
  }
  return 0;
}

int VolumeServer::statfs(p9::Decoder &In, p9::Encoder &Out) {
  uint32_t Id = In.u32();
  if (!In.complete())
    return EINVAL;
  Fid *F = find(Id);
  if (!F)
    return EBADF;
  struct statfs S;
  if (::fstatfs(F->fd(), &S) < 0)
    return errno;
  uint32_t Fsid[2];
  static_assert(sizeof Fsid == sizeof S.f_fsid);
  memcpy(Fsid, &S.f_fsid, sizeof Fsid);
  Out.u32(uint32_t(S.f_type));
  Out.u32(uint32_t(S.f_bsize));
  Out.u64(S.f_blocks);
  Out.u64(S.f_bfree);
  Out.u64(S.f_bavail);
  Out.u64(S.f_files);
  Out.u64(S.f_ffree);
  Out.u64(uint64_t(Fsid[0]) | uint64_t(Fsid[1]) << 32);
  Out.u32(uint32_t(S.f_namelen));
  return 0;
}

int VolumeServer::readlink(p9::Decoder &In, p9::Encoder &Out) {
  uint32_t Id = In.u32();
  if (!In.complete())
    return EINVAL;
  Fid *F = find(Id);
  if (!F)
    return EBADF;
  if (!S_ISLNK(F->File->Mode))
    return EINVAL;
  // The target exactly as stored: the server never follows it.
  char Target[PATH_MAX];
  ssize_t N = readlinkat(F->File->Fd, "", Target, sizeof Target);
  if (N < 0)
    return errno;
  if (size_t(N) == sizeof Target)
    return ENAMETOOLONG;
  Out.str(std::string_view(Target, size_t(N)));
  return 0;
}

} // namespace ukcxx::volume
