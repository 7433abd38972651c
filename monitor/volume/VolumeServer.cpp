// VolumeServer: framing, dispatch, and the session messages (version, attach, walk,
// clunk, flush).
#include "VolumeServer.h"

#include "Error.h"
#include "Protocol.h"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <unistd.h>
#include <utility>

namespace ukcxx::volume {

VolumeServer::Fid::~Fid() {
  if (OpenFd >= 0)
    close(OpenFd);
}

VolumeServer::VolumeServer(int RootFd, ServerOptions O)
    : Options(O), Msize(std::max(O.MaxMessage, MinMessage)) {
  Options.MaxMessage = Msize;
  Root = std::make_shared<Node>(Nodes);
  Root->Fd = RootFd;
  if (identify(RootFd, "", Root->Dev, Root->Ino, Root->Mode) < 0 || !Root->isDirectory())
    throw Error("a volume's root is not a folder");
}

VolumeServer::~VolumeServer() {
  Fids.clear();
  Root.reset();
}

Outcome VolumeServer::handle(const uint8_t *Request, size_t Length, uint8_t *Reply,
                             size_t Capacity) {
  Outcome O;
  if (Capacity < p9::ErrorReplySize) {
    O.Fault = "a reply buffer of " + std::to_string(Capacity) + " bytes cannot hold a 9P reply";
    return O;
  }
  if (Length < p9::HeaderSize) {
    O.Fault = "a 9P request of " + std::to_string(Length) + " bytes has no header";
    return O;
  }
  p9::Decoder Header(Request, p9::HeaderSize);
  uint32_t Size = Header.u32();
  uint8_t Type = Header.u8();
  uint16_t Tag = Header.u16();
  if (Size != Length) {
    O.Fault = "a 9P request says it has " + std::to_string(Size) + " bytes but has " +
              std::to_string(Length);
    return O;
  }
  uint32_t Limit = Type == p9::Tversion ? Options.MaxMessage : Msize;
  if (Length > Limit) {
    O.Fault = "a 9P request of " + std::to_string(Length) + " bytes exceeds the msize of " +
              std::to_string(Limit);
    return O;
  }
  p9::Decoder In(Request + p9::HeaderSize, Length - p9::HeaderSize);
  p9::Encoder Out(Reply, std::min<size_t>(Capacity, Msize));
  // The header is written last: a reply buffer overlapping the request must not change
  // the body before the handler has read it.
  Out.reserve(p9::HeaderSize);
  int Error = dispatch(Type, In, Out);
  uint8_t ReplyType = uint8_t(Type + 1);
  if (!Error && Out.overflowed())
    Error = EMSGSIZE;
  if (Error) {
    Out.reset();
    Out.reserve(p9::HeaderSize);
    Out.u32(uint32_t(Error));
    ReplyType = p9::Rlerror;
  }
  Out.patch(0, Out.size(), 4);
  Out.patch(4, ReplyType, 1);
  Out.patch(5, Tag, 2);
  O.Length = Out.size();
  return O;
}

int VolumeServer::dispatch(uint8_t Type, p9::Decoder &In, p9::Encoder &Out) {
  switch (Type) {
  case p9::Tversion:
    return version(In, Out);
  case p9::Tattach:
    return attach(In, Out);
  case p9::Twalk:
    return walk(In, Out);
  case p9::Tclunk:
    return clunk(In, Out);
  case p9::Tflush:
    return flush(In, Out);
  case p9::Tlopen:
    return lopen(In, Out);
  case p9::Tlcreate:
    return lcreate(In, Out);
  case p9::Tread:
    return read(In, Out);
  case p9::Twrite:
    return write(In, Out);
  case p9::Treaddir:
    return readdir(In, Out);
  case p9::Tfsync:
    return fsync(In, Out);
  case p9::Tgetattr:
    return getattr(In, Out);
  case p9::Tsetattr:
    return setattr(In, Out);
  case p9::Tstatfs:
    return statfs(In, Out);
  case p9::Treadlink:
    return readlink(In, Out);
  case p9::Tmkdir:
    return mkdir(In, Out);
  case p9::Tsymlink:
    return symlink(In, Out);
  case p9::Tunlinkat:
    return unlinkat(In, Out);
  case p9::Trenameat:
    return renameat(In, Out);
  case p9::Trename:
    return rename(In, Out);
  case p9::Tlink:
    return link(In, Out);
  case p9::Tremove:
    return remove(In, Out);
  default:
    // Tauth (no authentication: the guest owns the volume), Tmknod (no special files),
    // xattrs, locks (the guest keeps its own), replies and unknown types.
    return EOPNOTSUPP;
  }
}

VolumeServer::Fid *VolumeServer::find(uint32_t Id) {
  auto It = Fids.find(Id);
  return It == Fids.end() ? nullptr : It->second.get();
}

VolumeServer::Fid *VolumeServer::findDirectory(uint32_t Id, int &Error) {
  Fid *F = find(Id);
  Error = !F ? EBADF : !F->File->isDirectory() ? ENOTDIR : 0;
  return Error ? nullptr : F;
}

VolumeServer::Fid *VolumeServer::folderFor(uint32_t Id, const std::string &Name, int &Error) {
  Fid *Dir = findDirectory(Id, Error);
  if (Dir && (Error = checkName(Name)))
    return nullptr;
  return Dir;
}

std::shared_ptr<Node> VolumeServer::adopt(int Fd, std::shared_ptr<Node> Parent,
                                          std::string Name, int &Error) {
  if (Nodes.size() >= Options.MaxNodes) {
    close(Fd);
    Error = ENFILE;
    return nullptr;
  }
  auto N = std::make_shared<Node>(Nodes);
  N->Fd = Fd;
  if (int E = identify(Fd, "", N->Dev, N->Ino, N->Mode)) {
    Error = -E;
    return nullptr;
  }
  N->Parent = std::move(Parent);
  N->Name = std::move(Name);
  return N;
}

std::shared_ptr<Node> VolumeServer::lookup(const std::shared_ptr<Node> &Dir,
                                           const std::string &Name, int &Error) {
  if ((Error = checkName(Name)))
    return nullptr;
  int Fd = openIn(Dir->Fd, Name.c_str(), O_PATH);
  if (Fd < 0) {
    Error = -Fd;
    return nullptr;
  }
  return adopt(Fd, Dir, Name, Error);
}

void VolumeServer::renamed(const Node &OldDir, const std::string &Name,
                           const std::shared_ptr<Node> &NewDir, const std::string &NewName) {
  // Found first, changed after, and the old folders' nodes released only at the end:
  // a node re-parented may hold the last reference to one, which then leaves Nodes.
  std::vector<Node *> Moved;
  std::vector<std::shared_ptr<Node>> Released;
  for (Node *N : Nodes)
    if (N->Parent && N->Parent->Dev == OldDir.Dev && N->Parent->Ino == OldDir.Ino &&
        N->Name == Name)
      Moved.push_back(N);
  for (Node *N : Moved) {
    // A node never becomes its own ancestor, even when the host moved folders behind
    // the server's back and the kernel accepted the rename.
    bool Cycle = false;
    for (const Node *A = NewDir.get(); A && !Cycle; A = A->Parent.get())
      Cycle = A == N;
    if (Cycle)
      continue;
    Released.push_back(std::exchange(N->Parent, NewDir));
    N->Name = NewName;
  }
}

int VolumeServer::version(p9::Decoder &In, p9::Encoder &Out) {
  uint32_t Requested = In.u32();
  std::string Version = In.str();
  if (!In.complete() || Requested < MinMessage)
    return EINVAL;
  // A new session: every fid of the old one goes.
  Fids.clear();
  Msize = std::min(Requested, Options.MaxMessage);
  Out.u32(Msize);
  Out.str(Version == "9P2000.L" ? "9P2000.L" : "unknown");
  return 0;
}

int VolumeServer::attach(p9::Decoder &In, p9::Encoder &Out) {
  uint32_t Id = In.u32(), Afid = In.u32();
  In.str(); // uname and aname: the guest is the volume's only user, and it has one tree
  In.str();
  In.u32(); // n_uname
  if (!In.complete() || Id == p9::NoFid || find(Id) || Afid != p9::NoFid)
    return EINVAL;
  if (Fids.size() >= Options.MaxFids)
    return ENFILE;
  auto F = std::make_unique<Fid>();
  F->File = Root;
  Fids[Id] = std::move(F);
  Out.qid(Root->qid());
  return 0;
}

int VolumeServer::walk(p9::Decoder &In, p9::Encoder &Out) {
  uint32_t Id = In.u32(), NewId = In.u32();
  uint16_t Count = In.u16();
  if (Count > p9::MaxWalkNames)
    return EINVAL;
  std::string Names[p9::MaxWalkNames];
  for (unsigned I = 0; I < Count; ++I)
    Names[I] = In.str();
  if (!In.complete())
    return EINVAL;
  Fid *F = find(Id);
  if (!F)
    return EBADF;
  if (NewId == p9::NoFid || (NewId != Id && find(NewId)))
    return EINVAL;
  if (NewId != Id && Fids.size() >= Options.MaxFids)
    return ENFILE;
  std::shared_ptr<Node> At = F->File;
  std::vector<p9::Qid> Qids;
  for (unsigned I = 0; I < Count; ++I) {
    int Error = At->isDirectory() ? 0 : ENOTDIR;
    std::shared_ptr<Node> Next;
    if (!Error && Names[I] == "..")
      Next = At->Parent ? At->Parent : At; // ".." of the root is the root
    else if (!Error && Names[I] == ".")
      Next = At;
    else if (!Error)
      Next = lookup(At, Names[I], Error);
    if (Error) {
      if (I == 0)
        return Error;
      break; // a partial walk: the qids so far, and newfid stays unused
    }
    Qids.push_back(Next->qid());
    At = std::move(Next);
  }
  if (Qids.size() == Count) {
    auto N = std::make_unique<Fid>();
    N->File = At;
    Fids[NewId] = std::move(N); // replaces fid itself when NewId == Id
  }
  Out.u16(uint16_t(Qids.size()));
  for (const auto &Q : Qids)
    Out.qid(Q);
  return 0;
}

int VolumeServer::clunk(p9::Decoder &In, p9::Encoder &Out) {
  uint32_t Id = In.u32();
  if (!In.complete())
    return EINVAL;
  return Fids.erase(Id) ? 0 : EBADF;
}

int VolumeServer::flush(p9::Decoder &In, p9::Encoder &Out) {
  In.u16(); // oldtag: every request is answered before the next arrives
  return In.complete() ? 0 : EINVAL;
}

} // namespace ukcxx::volume
