// NameMessages: what changes a folder's names: mkdir, symlink, link, unlinkat, remove,
// renameat and rename. Each acts on one checked component in a folder the server
// holds, and none follows a final symbolic link.
#include "VolumeServer.h"

#include "Protocol.h"

#include <cerrno>
#include <climits>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace ukcxx::volume {
namespace {

/// Answers the qid of Name, just made in folder Dir.
int replyQid(const Node &Dir, const std::string &Name, p9::Encoder &Out) {
  uint64_t Dev, Ino;
  uint32_t Mode;
  if (int Error = identify(Dir.Fd, Name.c_str(), Dev, Ino, Mode))
    return -Error;
  Out.qid(qidOf(Mode, Ino));
  return 0;
}

int renameIn(int FromDir, const char *From, int ToDir, const char *To) {
  // renameat2 itself: glibc's wrapper may use renameat, which the sandbox does not allow.
  return syscall(SYS_renameat2, FromDir, From, ToDir, To, 0) < 0 ? errno : 0;
}

} // namespace

int VolumeServer::mkdir(p9::Decoder &In, p9::Encoder &Out) {
  uint32_t Id = In.u32();
  std::string Name = In.str();
  uint32_t Mode = In.u32() & 07777;
  In.u32(); // gid
  if (!In.complete())
    return EINVAL;
  int Error;
  Fid *Dir = folderFor(Id, Name, Error);
  if (!Dir)
    return Error;
  if (Options.ReadOnly)
    return EROFS;
  mutate("mkdirat");
  if (::mkdirat(Dir->File->Fd, Name.c_str(), Mode) < 0)
    return errno;
  return replyQid(*Dir->File, Name, Out);
}

int VolumeServer::symlink(p9::Decoder &In, p9::Encoder &Out) {
  uint32_t Id = In.u32();
  std::string Name = In.str(), Target = In.str();
  In.u32(); // gid
  if (!In.complete())
    return EINVAL;
  int Error;
  Fid *Dir = folderFor(Id, Name, Error);
  if (!Dir)
    return Error;
  // The target is stored as given and never followed by the server.
  if (Target.empty() || Target.find('\0') != std::string::npos)
    return EINVAL;
  if (Target.size() >= PATH_MAX)
    return ENAMETOOLONG;
  if (Options.ReadOnly)
    return EROFS;
  mutate("symlinkat");
  if (::symlinkat(Target.c_str(), Dir->File->Fd, Name.c_str()) < 0)
    return errno;
  return replyQid(*Dir->File, Name, Out);
}

int VolumeServer::link(p9::Decoder &In, p9::Encoder &Out) {
  uint32_t DirId = In.u32(), Id = In.u32();
  std::string Name = In.str();
  if (!In.complete())
    return EINVAL;
  int Error;
  Fid *Dir = folderFor(DirId, Name, Error);
  if (!Dir)
    return Error;
  Fid *F = find(Id);
  if (!F)
    return EBADF;
  if (Options.ReadOnly)
    return EROFS;
  const Node &N = *F->File;
  if (N.isDirectory())
    return EPERM;
  // By its name in its parent (linkat with AT_EMPTY_PATH needs a capability), checked to
  // be the fid's file first; flags 0: a symbolic link is linked, not followed.
  if (int E = checkStillNamed(N))
    return -E;
  mutate("linkat");
  if (::linkat(N.Parent->Fd, N.Name.c_str(), Dir->File->Fd, Name.c_str(), 0) < 0)
    return errno;
  return 0;
}

int VolumeServer::unlinkat(p9::Decoder &In, p9::Encoder &Out) {
  uint32_t Id = In.u32();
  std::string Name = In.str();
  uint32_t Flags = In.u32();
  if (!In.complete() || (Flags & ~p9::UnlinkDirectory))
    return EINVAL;
  int Error;
  Fid *Dir = folderFor(Id, Name, Error);
  if (!Dir)
    return Error;
  if (Options.ReadOnly)
    return EROFS;
  mutate("unlinkat");
  if (::unlinkat(Dir->File->Fd, Name.c_str(), Flags ? AT_REMOVEDIR : 0) < 0)
    return errno;
  return 0;
}

int VolumeServer::remove(p9::Decoder &In, p9::Encoder &Out) {
  uint32_t Id = In.u32();
  if (!In.complete())
    return EINVAL;
  auto It = Fids.find(Id);
  if (It == Fids.end())
    return EBADF;
  // The fid goes whatever happens, as the protocol says.
  std::unique_ptr<Fid> F = std::move(It->second);
  Fids.erase(It);
  if (Options.ReadOnly)
    return EROFS;
  const Node &N = *F->File;
  if (int E = checkStillNamed(N))
    return -E;
  mutate("unlinkat");
  if (::unlinkat(N.Parent->Fd, N.Name.c_str(), N.isDirectory() ? AT_REMOVEDIR : 0) < 0)
    return errno;
  return 0;
}

int VolumeServer::renameat(p9::Decoder &In, p9::Encoder &Out) {
  uint32_t FromId = In.u32();
  std::string From = In.str();
  uint32_t ToId = In.u32();
  std::string To = In.str();
  if (!In.complete())
    return EINVAL;
  int Error;
  Fid *FromDir = folderFor(FromId, From, Error);
  if (!FromDir)
    return Error;
  Fid *ToDir = folderFor(ToId, To, Error);
  if (!ToDir)
    return Error;
  if (Options.ReadOnly)
    return EROFS;
  mutate("renameat2");
  if ((Error = renameIn(FromDir->File->Fd, From.c_str(), ToDir->File->Fd, To.c_str())))
    return Error;
  std::shared_ptr<Node> Target = ToDir->File;
  renamed(*FromDir->File, From, Target, To);
  return 0;
}

int VolumeServer::rename(p9::Decoder &In, p9::Encoder &Out) {
  uint32_t Id = In.u32(), ToId = In.u32();
  std::string To = In.str();
  if (!In.complete())
    return EINVAL;
  Fid *F = find(Id);
  if (!F)
    return EBADF;
  int Error;
  Fid *ToDir = folderFor(ToId, To, Error);
  if (!ToDir)
    return Error;
  if (Options.ReadOnly)
    return EROFS;
  std::shared_ptr<Node> N = F->File, Target = ToDir->File;
  if (int E = checkStillNamed(*N))
    return -E;
  std::shared_ptr<Node> FromDir = N->Parent;
  std::string From = N->Name;
  mutate("renameat2");
  if ((Error = renameIn(FromDir->Fd, From.c_str(), Target->Fd, To.c_str())))
    return Error;
  renamed(*FromDir, From, Target, To);
  return 0;
}

} // namespace ukcxx::volume
