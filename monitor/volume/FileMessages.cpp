// FileMessages: opening and creating files, reading, writing, listing folders, fsync.
#include "VolumeServer.h"

#include "Protocol.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

namespace ukcxx::volume {
namespace {

/// The open flags of Tlopen and Tlcreate the server honours; the rest (O_NOCTTY,
/// O_DIRECT, O_NOATIME, O_CLOEXEC, ...) concern the guest's side or nothing here.
constexpr uint32_t KeptOpenFlags = p9::OpenAccessMode | p9::OpenTruncate | p9::OpenAppend |
                                   p9::OpenDsync | p9::OpenSync | p9::OpenDirectory;

bool writes(uint32_t Flags) { return (Flags & p9::OpenAccessMode) != 0; }

} // namespace

int VolumeServer::lopen(p9::Decoder &In, p9::Encoder &Out) {
  uint32_t Id = In.u32(), Flags = In.u32() & KeptOpenFlags;
  if (!In.complete())
    return EINVAL;
  Fid *F = find(Id);
  if (!F)
    return EBADF;
  if (F->OpenFd >= 0 || (Flags & p9::OpenAccessMode) == 3)
    return EINVAL;
  const Node &N = *F->File;
  if ((Flags & p9::OpenDirectory) && !N.isDirectory())
    return ENOTDIR;
  bool Truncate = (Flags & p9::OpenTruncate) && writes(Flags);
  if (Options.ReadOnly && (writes(Flags) || Truncate))
    return EROFS;
  if (N.isDirectory() && (writes(Flags) || Truncate))
    return EISDIR;
  int Fd = reopen(N, int(Flags));
  if (Fd < 0)
    return -Fd;
  // Truncated only once the file is known to be the fid's own (see reopen).
  if (Truncate) {
    mutate("ftruncate");
    if (ftruncate(Fd, 0) < 0) {
      int Error = errno;
      close(Fd);
      return Error;
    }
  }
  F->OpenFd = Fd;
  F->OpenFlags = int(Flags & p9::OpenAccessMode);
  Out.qid(N.qid());
  Out.u32(0); // iounit: no limit but msize
  return 0;
}

int VolumeServer::lcreate(p9::Decoder &In, p9::Encoder &Out) {
  uint32_t Id = In.u32();
  std::string Name = In.str();
  uint32_t Flags = In.u32(), Mode = In.u32() & 07777;
  In.u32(); // gid: files belong to the host user running the monitor
  if (!In.complete())
    return EINVAL;
  int Error;
  Fid *F = findDirectory(Id, Error);
  if (!F)
    return Error;
  if (F->OpenFd >= 0 || (Flags & p9::OpenAccessMode) == 3)
    return EINVAL;
  if ((Error = checkName(Name)))
    return Error;
  if (Options.ReadOnly)
    return EROFS;
  std::shared_ptr<Node> Dir = F->File, File;
  int Access = int(Flags & (p9::OpenAccessMode | p9::OpenAppend | p9::OpenSync));
  // Created exclusively, so that what is opened is a new regular file. A name that
  // exists, when the guest allows it, is opened as Tlopen opens: a FIFO or device
  // already there is never opened, a symbolic link never followed.
  mutate("create");
  int Fd = openIn(Dir->Fd, Name.c_str(), uint64_t(Access) | O_CREAT | O_EXCL, Mode);
  if (Fd >= 0) {
    int Handle = fcntl(Fd, F_DUPFD_CLOEXEC, 0);
    if (Handle < 0 || !(File = adopt(Handle, Dir, Name, Error))) {
      Error = Handle < 0 ? errno : Error;
      close(Fd);
      return Error;
    }
  } else if (Fd == -EEXIST && !(Flags & p9::OpenExclusive)) {
    if (!(File = lookup(Dir, Name, Error)))
      return Error;
    if (File->isDirectory())
      return EISDIR;
    if ((Fd = reopen(*File, Access)) < 0)
      return -Fd;
    if ((Flags & p9::OpenTruncate) && writes(Flags)) {
      mutate("ftruncate");
      if (ftruncate(Fd, 0) < 0) {
        Error = errno;
        close(Fd);
        return Error;
      }
    }
  } else {
    return -Fd;
  }
  F->File = std::move(File);
  F->OpenFd = Fd;
  F->OpenFlags = int(Flags & p9::OpenAccessMode);
  Out.qid(F->File->qid());
  Out.u32(0);
  return 0;
}

int VolumeServer::read(p9::Decoder &In, p9::Encoder &Out) {
  uint32_t Id = In.u32();
  uint64_t Offset = In.u64();
  uint32_t Count = In.u32();
  if (!In.complete())
    return EINVAL;
  Fid *F = find(Id);
  if (!F || !F->readable())
    return EBADF;
  if (Offset > INT64_MAX)
    return EINVAL;
  size_t CountAt = Out.size();
  Out.u32(0);
  // Straight into the reply buffer, no larger than the reply can be.
  size_t Room = std::min<size_t>(Count, Out.room());
  uint8_t *Data = Out.reserve(Room);
  ssize_t N = ::pread(F->OpenFd, Data, Room, off_t(Offset));
  if (N < 0)
    return errno;
  Out.truncate(CountAt + 4 + size_t(N));
  Out.patch(CountAt, uint64_t(N), 4);
  return 0;
}

int VolumeServer::write(p9::Decoder &In, p9::Encoder &Out) {
  uint32_t Id = In.u32();
  uint64_t Offset = In.u64();
  uint32_t Count = In.u32();
  const uint8_t *Data = In.bytes(Count);
  if (!In.complete())
    return EINVAL;
  Fid *F = find(Id);
  if (!F)
    return EBADF;
  if (!F->writable())
    return Options.ReadOnly ? EROFS : EBADF;
  if (Offset > INT64_MAX)
    return EINVAL;
  ssize_t N = 0;
  if (Count) {
    mutate("pwrite");
    N = ::pwrite(F->OpenFd, Data, Count, off_t(Offset));
  }
  if (N < 0)
    return errno;
  Out.u32(uint32_t(N));
  return 0;
}

int VolumeServer::readdir(p9::Decoder &In, p9::Encoder &Out) {
  uint32_t Id = In.u32();
  uint64_t Offset = In.u64();
  uint32_t Count = In.u32();
  if (!In.complete())
    return EINVAL;
  Fid *F = find(Id);
  if (!F || F->OpenFd < 0)
    return EBADF;
  if (!F->File->isDirectory())
    return ENOTDIR;
  if (Offset > INT64_MAX)
    return EINVAL;
  // Offsets are the host's own directory positions (d_off), which the guest hands
  // back; each call seeks, so nothing depends on where the last one stopped.
  if (lseek(F->OpenFd, off_t(Offset), SEEK_SET) < 0)
    return errno;
  size_t CountAt = Out.size();
  Out.u32(0);
  size_t Room = std::min<size_t>(Count, Out.room());
  Scratch.resize(Room);
  ssize_t Got = getdents64(F->OpenFd, Scratch.data(), Room);
  if (Got < 0)
    return errno;
  bool AtRoot = F->File->Dev == Root->Dev && F->File->Ino == Root->Ino;
  size_t Used = 0;
  // struct linux_dirent64: ino[8] off[8] reclen[2] type[1] name (NUL-terminated).
  constexpr size_t NameAt = 19;
  for (size_t At = 0; At + NameAt < size_t(Got);) {
    const uint8_t *Entry = Scratch.data() + At;
    uint64_t Ino, Next;
    uint16_t Length;
    std::memcpy(&Ino, Entry, 8);
    std::memcpy(&Next, Entry + 8, 8);
    std::memcpy(&Length, Entry + 16, 2);
    if (Length <= NameAt || Length > size_t(Got) - At)
      break;
    uint8_t Type = Entry[18];
    std::string_view Name(
        reinterpret_cast<const char *>(Entry + NameAt),
        strnlen(reinterpret_cast<const char *>(Entry + NameAt), Length - NameAt));
    size_t Size = p9::QidSize + 8 + 1 + 2 + Name.size();
    if (Used + Size > Room)
      break; // the guest asks again from the last entry's offset
    p9::Qid Q;
    Q.Type = Type == DT_DIR ? p9::QidDirectory : Type == DT_LNK ? p9::QidSymlink : p9::QidFile;
    // The root's ".." is outside the volume: it names the root itself.
    Q.Path = AtRoot && Name == ".." ? Root->Ino : Ino;
    Out.qid(Q);
    Out.u64(Next);
    Out.u8(Type);
    Out.str(Name);
    Used += Size;
    At += Length;
  }
  // A buffer too small for even one entry is an error, as it is for getdents64, not
  // the end of the folder.
  if (!Used && Got > 0)
    return EINVAL;
  Out.patch(CountAt, Used, 4);
  return 0;
}

int VolumeServer::fsync(p9::Decoder &In, p9::Encoder &Out) {
  uint32_t Id = In.u32(), DataOnly = In.u32();
  if (!In.complete())
    return EINVAL;
  Fid *F = find(Id);
  if (!F)
    return EBADF;
  if (Options.ReadOnly)
    return 0; // nothing was written through this volume
  // Usually an opened fid; an O_PATH one (a folder the guest syncs by name) is opened
  // for the call.
  int Fd = F->OpenFd;
  if (Fd < 0 && (Fd = reopen(*F->File, O_RDONLY)) < 0)
    return -Fd;
  mutate(DataOnly ? "fdatasync" : "fsync");
  int Error = (DataOnly ? ::fdatasync(Fd) : ::fsync(Fd)) < 0 ? errno : 0;
  if (Fd != F->OpenFd)
    close(Fd);
  return Error;
}

} // namespace ukcxx::volume
