// VolumeServer: a 9P2000.L server for one host folder (a volume), one message at a
// time, treating every message as hostile. The built-in monitor runs one per volume
// behind the UK_HC_VOLUME hypercall; the guest's 9P client is the one it also uses
// with QEMU's virtio-9p.
#pragma once

#include "CrashPoint.h"
#include "HostFile.h"
#include "Wire.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace ukcxx::volume {

/// The limits bound the server's memory and descriptors. The guest's 9P client
/// (runtime/fs) keeps a walked fid per file it has met, up to 8192 per volume: the
/// limits leave it room. Past the process's descriptor limit, lookups get EMFILE.
struct ServerOptions {
  bool ReadOnly = false;         // every mutation is refused with EROFS
  uint32_t MaxMessage = 1 << 20; // the largest msize agreed to (request and reply)
  uint32_t MaxFids = 16384;      // fids at once; beyond, ENFILE
  uint32_t MaxNodes = 32768;     // host handles held at once for fids and their folders
  CrashPoint *Crash = nullptr;   // the crash-safety hook, shared by a monitor's volumes
};

/// What handling one message gave.
struct Outcome {
  size_t Length = 0; // of the reply written
  std::string Fault; // set: the message could not even be framed; the guest is broken
};

class VolumeServer {
public:
  /// The smallest msize accepted: room for every reply but Rread's and Rreaddir's data.
  static constexpr uint32_t MinMessage = 512;

  /// Serves the folder whose descriptor RootFd is (O_PATH or opened, a directory);
  /// the server takes it over. Throws Error if it is not a directory.
  VolumeServer(int RootFd, ServerOptions Options);
  VolumeServer(const VolumeServer &) = delete;
  ~VolumeServer();

  /// Handles the 9P request [Request, +Length) and writes its reply (at most msize
  /// bytes) into [Reply, +Capacity). The two may overlap: every request field is read
  /// before the reply is written. A request whose size field is not Length, shorter
  /// than a header or longer than msize, or a reply buffer too small for an error
  /// reply, is a Fault; anything else wrong gets an Rlerror with a Linux errno.
  Outcome handle(const uint8_t *Request, size_t Length, uint8_t *Reply, size_t Capacity);

  uint32_t msize() const { return Msize; }
  uint32_t maxMessage() const { return Options.MaxMessage; }
  int rootFd() const { return Root->Fd; }
  size_t fidCount() const { return Fids.size(); }
  size_t nodeCount() const { return Nodes.size(); }

private:
  /// A fid: a node, and the descriptor Tlopen or Tlcreate opened on it.
  struct Fid {
    std::shared_ptr<Node> File;
    int OpenFd = -1;
    int OpenFlags = 0; // OpenFd's access mode
    ~Fid();
    bool readable() const { return OpenFd >= 0 && (OpenFlags & 3) != 1; }
    bool writable() const { return OpenFd >= 0 && (OpenFlags & 3) != 0; }
    /// What to stat or change: the open descriptor if any, else the node's handle.
    int fd() const { return OpenFd >= 0 ? OpenFd : File->Fd; }
  };

  int dispatch(uint8_t Type, p9::Decoder &In, p9::Encoder &Out);
  // One per message, in VolumeServer.cpp (session and walk), FileMessages.cpp (open,
  // I/O, readdir, fsync), AttrMessages.cpp, NameMessages.cpp. Each decodes the whole
  // request before it writes any reply; it returns 0 or the errno for Rlerror.
  int version(p9::Decoder &In, p9::Encoder &Out);
  int attach(p9::Decoder &In, p9::Encoder &Out);
  int walk(p9::Decoder &In, p9::Encoder &Out);
  int clunk(p9::Decoder &In, p9::Encoder &Out);
  int flush(p9::Decoder &In, p9::Encoder &Out);
  int lopen(p9::Decoder &In, p9::Encoder &Out);
  int lcreate(p9::Decoder &In, p9::Encoder &Out);
  int read(p9::Decoder &In, p9::Encoder &Out);
  int write(p9::Decoder &In, p9::Encoder &Out);
  int readdir(p9::Decoder &In, p9::Encoder &Out);
  int fsync(p9::Decoder &In, p9::Encoder &Out);
  int getattr(p9::Decoder &In, p9::Encoder &Out);
  int setattr(p9::Decoder &In, p9::Encoder &Out);
  int statfs(p9::Decoder &In, p9::Encoder &Out);
  int readlink(p9::Decoder &In, p9::Encoder &Out);
  int mkdir(p9::Decoder &In, p9::Encoder &Out);
  int symlink(p9::Decoder &In, p9::Encoder &Out);
  int unlinkat(p9::Decoder &In, p9::Encoder &Out);
  int renameat(p9::Decoder &In, p9::Encoder &Out);
  int rename(p9::Decoder &In, p9::Encoder &Out);
  int link(p9::Decoder &In, p9::Encoder &Out);
  int remove(p9::Decoder &In, p9::Encoder &Out);

  Fid *find(uint32_t Id);
  /// The fid Id if it names a folder (else null, and Error says why).
  Fid *findDirectory(uint32_t Id, int &Error);
  /// The folder fid Id, for a message that names Name in it: null, with Error set, if
  /// Id is no folder or Name is no single component.
  Fid *folderFor(uint32_t Id, const std::string &Name, int &Error);
  /// A node for descriptor Fd (taken over), reached as Name in Parent; null with
  /// Error set when it cannot be identified or too many nodes are held.
  std::shared_ptr<Node> adopt(int Fd, std::shared_ptr<Node> Parent, std::string Name,
                              int &Error);
  /// Opens Name in Dir as a new node (O_PATH: nothing of the file is opened).
  std::shared_ptr<Node> lookup(const std::shared_ptr<Node> &Dir, const std::string &Name,
                               int &Error);
  /// After a rename: nodes that were Name in OldDir's folder are NewName in NewDir.
  void renamed(const Node &OldDir, const std::string &Name, const std::shared_ptr<Node> &NewDir,
               const std::string &NewName);
  /// Called before each mutating host operation (the crash-safety hook).
  void mutate(const char *What) {
    if (Options.Crash)
      Options.Crash->beforeMutation(What);
  }

  ServerOptions Options;
  uint32_t Msize;
  std::unordered_set<Node *> Nodes; // first: it outlives every node
  std::shared_ptr<Node> Root;
  std::unordered_map<uint32_t, std::unique_ptr<Fid>> Fids;
  std::vector<uint8_t> Scratch; // directory entries between getdents64 and the reply
};

} // namespace ukcxx::volume
