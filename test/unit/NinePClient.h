// NinePClient: builds 9P2000.L requests and reads replies, for the volume server's
// tests; a host folder made and removed per test.
#pragma once

#include "Protocol.h"
#include "VolumeServer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace ukcxx::test9p {

/// A request: header, then fields in order; bytes() fills in the size.
class Message {
public:
  explicit Message(uint8_t Type, uint16_t Tag = 1) {
    u32(0);
    u8(Type);
    u16(Tag);
  }
  Message &u8(uint8_t V) { return put(V, 1); }
  Message &u16(uint16_t V) { return put(V, 2); }
  Message &u32(uint32_t V) { return put(V, 4); }
  Message &u64(uint64_t V) { return put(V, 8); }
  Message &str(std::string_view S) {
    u16(uint16_t(S.size()));
    Bytes.insert(Bytes.end(), S.begin(), S.end());
    return *this;
  }
  Message &raw(std::string_view S) {
    Bytes.insert(Bytes.end(), S.begin(), S.end());
    return *this;
  }
  std::vector<uint8_t> bytes() const {
    std::vector<uint8_t> B = Bytes;
    uint32_t Size = uint32_t(B.size());
    std::memcpy(B.data(), &Size, 4);
    return B;
  }

private:
  Message &put(uint64_t V, unsigned N) {
    for (unsigned I = 0; I < N; ++I)
      Bytes.push_back(uint8_t(V >> (8 * I)));
    return *this;
  }
  std::vector<uint8_t> Bytes;
};

/// A reply, read field by field.
struct Reply {
  uint8_t Type = 0;
  uint16_t Tag = 0;
  std::vector<uint8_t> Body;
  size_t Pos = 0;

  /// The errno of an Rlerror, else 0.
  uint32_t error() const {
    uint32_t E = 0;
    if (Type == p9::Rlerror && Body.size() >= 4)
      std::memcpy(&E, Body.data(), 4);
    return E;
  }
  uint64_t take(unsigned N) {
    uint64_t V = 0;
    for (unsigned I = 0; I < N && Pos < Body.size(); ++I)
      V |= uint64_t(Body[Pos++]) << (8 * I);
    return V;
  }
  uint8_t u8() { return uint8_t(take(1)); }
  uint16_t u16() { return uint16_t(take(2)); }
  uint32_t u32() { return uint32_t(take(4)); }
  uint64_t u64() { return take(8); }
  std::string str() {
    uint16_t N = u16();
    std::string S(Body.begin() + long(std::min(Pos, Body.size())),
                  Body.begin() + long(std::min(Pos + N, Body.size())));
    Pos += N;
    return S;
  }
  p9::Qid qid() {
    p9::Qid Q;
    Q.Type = u8();
    Q.Version = u32();
    Q.Path = u64();
    return Q;
  }
};

/// Talks to a server in memory; each helper returns the errno of an Rlerror, or 0.
class Client {
public:
  explicit Client(volume::VolumeServer &S) : Server(S) {}

  /// Sends M with a reply buffer of Capacity bytes; a fault fails the test.
  Reply call(const Message &M, size_t Capacity = 1 << 20) {
    std::vector<uint8_t> Request = M.bytes(), Buffer(Capacity);
    volume::Outcome O = Server.handle(Request.data(), Request.size(), Buffer.data(), Capacity);
    EXPECT_EQ(O.Fault, "");
    Reply R;
    if (O.Length < p9::HeaderSize) {
      ADD_FAILURE() << "reply of " << O.Length << " bytes";
      return R;
    }
    uint32_t Size;
    std::memcpy(&Size, Buffer.data(), 4);
    EXPECT_EQ(Size, O.Length);
    R.Type = Buffer[4];
    R.Tag = uint16_t(Buffer[5] | Buffer[6] << 8);
    EXPECT_TRUE(R.Type == p9::Rlerror || R.Type == Request[4] + 1)
        << "reply type " << int(R.Type) << " to request type " << int(Request[4]);
    R.Body.assign(Buffer.begin() + p9::HeaderSize, Buffer.begin() + long(O.Length));
    return R;
  }
  uint32_t status(const Message &M) { return call(M).error(); }

  uint32_t version(uint32_t Msize = 65536) {
    return status(Message(p9::Tversion, p9::NoTag).u32(Msize).str("9P2000.L"));
  }
  uint32_t attach(uint32_t Fid) {
    return status(Message(p9::Tattach).u32(Fid).u32(p9::NoFid).str("").str("").u32(0));
  }
  /// Twalk; Qids gets the qids of the reply.
  uint32_t walk(uint32_t Fid, uint32_t NewFid, std::initializer_list<std::string> Names,
                std::vector<p9::Qid> *Qids = nullptr) {
    Message M(p9::Twalk);
    M.u32(Fid).u32(NewFid).u16(uint16_t(Names.size()));
    for (const auto &N : Names)
      M.str(N);
    Reply R = call(M);
    if (!R.error() && Qids) {
      Qids->clear();
      for (unsigned I = 0, N = R.u16(); I < N; ++I)
        Qids->push_back(R.qid());
    }
    return R.error();
  }
  uint32_t lopen(uint32_t Fid, uint32_t Flags) {
    return status(Message(p9::Tlopen).u32(Fid).u32(Flags));
  }
  uint32_t lcreate(uint32_t Fid, const std::string &Name, uint32_t Flags, uint32_t Mode) {
    return status(Message(p9::Tlcreate).u32(Fid).str(Name).u32(Flags).u32(Mode).u32(0));
  }
  uint32_t read(uint32_t Fid, uint64_t Offset, uint32_t Count, std::string &Data,
                size_t Capacity = 1 << 20) {
    Reply R = call(Message(p9::Tread).u32(Fid).u64(Offset).u32(Count), Capacity);
    if (!R.error()) {
      uint32_t N = R.u32();
      Data.assign(R.Body.begin() + 4, R.Body.begin() + 4 + N);
      EXPECT_EQ(R.Body.size(), 4u + N);
    }
    return R.error();
  }
  uint32_t write(uint32_t Fid, uint64_t Offset, const std::string &Data,
                 uint32_t *Written = nullptr) {
    Reply R =
        call(Message(p9::Twrite).u32(Fid).u64(Offset).u32(uint32_t(Data.size())).raw(Data));
    if (!R.error() && Written)
      *Written = R.u32();
    return R.error();
  }
  uint32_t clunk(uint32_t Fid) { return status(Message(p9::Tclunk).u32(Fid)); }
  uint32_t fsync(uint32_t Fid, bool DataOnly) {
    return status(Message(p9::Tfsync).u32(Fid).u32(DataOnly));
  }
  uint32_t mkdir(uint32_t Dir, const std::string &Name, uint32_t Mode = 0755) {
    return status(Message(p9::Tmkdir).u32(Dir).str(Name).u32(Mode).u32(0));
  }
  uint32_t symlink(uint32_t Dir, const std::string &Name, const std::string &Target) {
    return status(Message(p9::Tsymlink).u32(Dir).str(Name).str(Target).u32(0));
  }
  uint32_t readlink(uint32_t Fid, std::string &Target) {
    Reply R = call(Message(p9::Treadlink).u32(Fid));
    if (!R.error())
      Target = R.str();
    return R.error();
  }
  uint32_t unlinkat(uint32_t Dir, const std::string &Name, uint32_t Flags = 0) {
    return status(Message(p9::Tunlinkat).u32(Dir).str(Name).u32(Flags));
  }
  uint32_t renameat(uint32_t From, const std::string &Old, uint32_t To,
                    const std::string &New) {
    return status(Message(p9::Trenameat).u32(From).str(Old).u32(To).str(New));
  }
  uint32_t rename(uint32_t Fid, uint32_t Dir, const std::string &Name) {
    return status(Message(p9::Trename).u32(Fid).u32(Dir).str(Name));
  }
  uint32_t link(uint32_t Dir, uint32_t Fid, const std::string &Name) {
    return status(Message(p9::Tlink).u32(Dir).u32(Fid).str(Name));
  }
  uint32_t remove(uint32_t Fid) { return status(Message(p9::Tremove).u32(Fid)); }
  /// Tsetattr with every field given.
  uint32_t setattr(uint32_t Fid, uint32_t Valid, uint32_t Mode = 0, uint64_t Size = 0,
                   uint64_t Atime = 0, uint64_t AtimeNs = 0, uint64_t Mtime = 0,
                   uint64_t MtimeNs = 0, uint32_t Uid = 0, uint32_t Gid = 0) {
    return status(Message(p9::Tsetattr)
                      .u32(Fid)
                      .u32(Valid)
                      .u32(Mode)
                      .u32(Uid)
                      .u32(Gid)
                      .u64(Size)
                      .u64(Atime)
                      .u64(AtimeNs)
                      .u64(Mtime)
                      .u64(MtimeNs));
  }

  /// Walks Names from the root fid 0 to NewFid.
  uint32_t reach(uint32_t NewFid, std::initializer_list<std::string> Names) {
    return walk(0, NewFid, Names);
  }

private:
  volume::VolumeServer &Server;
};

/// A temporary folder holding the volume ("vol", with f = "hello", d/ and d/g =
/// "inner") beside what must stay out of reach ("outside/secret" = "secret").
class VolumeFixture : public ::testing::Test {
protected:
  std::string Base, Vol, Outside;

  void SetUp() override {
    char Template[] = "/tmp/ukvolume-XXXXXX";
    ASSERT_NE(mkdtemp(Template), nullptr);
    Base = Template;
    Vol = Base + "/vol";
    Outside = Base + "/outside";
    umask(022);
    std::filesystem::create_directories(Vol + "/d");
    std::filesystem::create_directories(Outside);
    put(Vol + "/f", "hello");
    put(Vol + "/d/g", "inner");
    put(Outside + "/secret", "secret");
  }
  void TearDown() override { std::filesystem::remove_all(Base); }

  /// A server for the folder (a session started: msize agreed, fid 0 the root).
  std::unique_ptr<volume::VolumeServer> serve(volume::ServerOptions O = {}) {
    int Fd = open(Vol.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    EXPECT_GE(Fd, 0);
    auto S = std::make_unique<volume::VolumeServer>(Fd, O);
    Client C(*S);
    EXPECT_EQ(C.version(), 0u);
    EXPECT_EQ(C.attach(0), 0u);
    return S;
  }

public:
  static void put(const std::string &Path, const std::string &Data) {
    std::ofstream(Path, std::ios::binary) << Data;
  }
  static std::string get(const std::string &Path) {
    std::ifstream In(Path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(In), {});
  }

protected:
  static uint64_t inode(const std::string &Path) {
    struct stat S;
    return lstat(Path.c_str(), &S) == 0 ? S.st_ino : 0;
  }
  /// Every path under Base with its type, size and content: what must not change.
  std::string snapshot() const {
    std::string Out;
    for (auto &E : std::filesystem::recursive_directory_iterator(Base)) {
      struct stat S;
      lstat(E.path().c_str(), &S);
      Out += E.path().string() + " " + std::to_string(S.st_mode) + " " +
             std::to_string(S.st_size) + " " + std::to_string(S.st_mtim.tv_sec) + ":" +
             std::to_string(S.st_mtim.tv_nsec) + "\n";
      if (S_ISREG(S.st_mode))
        Out += get(E.path()) + "\n";
    }
    return Out;
  }
};

} // namespace ukcxx::test9p
