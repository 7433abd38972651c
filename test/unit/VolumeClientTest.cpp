// VolumeClientTest: the guest's own 9P2000.L client (runtime/fs/p9.cpp, compiled for
// the host as it is) against the monitor's volume server: the two sides agree on every
// message the client sends, as they will over UK_HC_VOLUME.
#include "NinePClient.h"
#include "p9.h"
#include "uk/platform.h"

#include <cstdarg>
#include <cstdio>
#include <set>

namespace uk {
// What p9.cpp asks of the kernel, here on the host.
const char *boot_option(const char *, int) { return nullptr; }
void print(const char *Format, ...) {
  va_list Arguments;
  va_start(Arguments, Format);
  vfprintf(stderr, Format, Arguments);
  va_end(Arguments);
}
[[noreturn]] void exit_program(ExitKind, int Status) { _exit(Status); }
// The test's buffers are the host process's, all writable (the guest checks the
// program's buffers against its mappings).
bool user_ok(uint64_t, uint64_t, unsigned) { return true; }
uint64_t direct_map_base = 0; // all memory is "the kernel's" here
} // namespace uk
extern "C" const char __ehdr_start = 0, __uk_kernel_end[1] = {};

using namespace ukcxx;
namespace p9c = uk::p9;

namespace {

volume::VolumeServer *Served;

/// The transport: what kvm_volume_transact does, minus the hypercall.
long transact(unsigned, const void *Request, size_t Len, void *Reply, size_t Cap) {
  volume::Outcome O = Served->handle(static_cast<const uint8_t *>(Request), Len,
                                     static_cast<uint8_t *>(Reply), Cap);
  if (!O.Fault.empty()) {
    ADD_FAILURE() << "the client's message was a fault: " << O.Fault;
    return -EIO;
  }
  return long(O.Length);
}

class VolumeClientTest : public test9p::VolumeFixture {
protected:
  static constexpr uint32_t Msize = 512 * 1024; // the client's own
  std::unique_ptr<volume::VolumeServer> Server;
  std::vector<uint8_t> Request = std::vector<uint8_t>(Msize),
                       Reply = std::vector<uint8_t>(Msize);
  p9c::Channel C{};
  p9c::Qid Root{};

  void start(volume::ServerOptions O = {}) {
    Server = std::make_unique<volume::VolumeServer>(
        ::open(Vol.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC), O);
    Served = Server.get();
    C.transact = transact;
    C.request = Request.data();
    C.reply = Reply.data();
    ASSERT_EQ(p9c::connect(C, Msize), 0);
    EXPECT_EQ(C.msize, Msize);
    ASSERT_EQ(p9c::attach(C, 1, Root), 0);
  }
  long walk(uint32_t From, uint32_t To, const std::string &Name, p9c::Qid *Out = nullptr) {
    p9c::Qid Q;
    long Error = p9c::walk(C, From, To, Name.data(), Name.size(), Q);
    if (Out)
      *Out = Q;
    return Error;
  }
};

TEST_F(VolumeClientTest, EveryMessageTheClientSends) {
  start();
  EXPECT_EQ(Root.path, inode(Vol));
  EXPECT_EQ(Root.type, p9c::QidDirectory);
  p9c::Qid Q;
  ASSERT_EQ(walk(1, 2, "f", &Q), 0);
  EXPECT_EQ(Q.path, inode(Vol + "/f"));
  ASSERT_EQ(p9c::lopen(C, 2, O_RDONLY), 0);
  char Buffer[8192];
  ASSERT_EQ(p9c::read(C, 2, 0, Buffer, sizeof Buffer), 5);
  EXPECT_EQ(std::string(Buffer, 5), "hello");
  p9c::Attr A;
  ASSERT_EQ(p9c::getattr(C, 2, A), 0);
  EXPECT_EQ(A.size, 5u);
  EXPECT_TRUE(S_ISREG(A.mode));
  // Create, write, sync (both ways), close.
  ASSERT_EQ(walk(1, 3, ""), 0);
  ASSERT_EQ(p9c::lcreate(C, 3, "new", 3, O_RDWR, 0644, Q), 0);
  EXPECT_EQ(Q.path, inode(Vol + "/new"));
  ASSERT_EQ(p9c::write(C, 3, 0, "data", 4), 4);
  EXPECT_EQ(p9c::fsync(C, 3, true), 0);
  EXPECT_EQ(p9c::fsync(C, 3, false), 0);
  ASSERT_EQ(p9c::clunk(C, 3), 0);
  EXPECT_EQ(get(Vol + "/new"), "data");
  // Attributes.
  ASSERT_EQ(walk(1, 4, "new"), 0);
  p9c::SetAttr S{};
  S.valid = p9c::SetSize | p9c::SetMode;
  S.size = 2;
  S.mode = 0600;
  ASSERT_EQ(p9c::setattr(C, 4, S), 0);
  EXPECT_EQ(get(Vol + "/new"), "da");
  S = {};
  S.valid = p9c::SetMtime | p9c::SetMtimeSet;
  S.mtime_sec = 1234567890;
  ASSERT_EQ(p9c::setattr(C, 4, S), 0);
  ASSERT_EQ(p9c::getattr(C, 4, A), 0);
  EXPECT_EQ(A.mode, S_IFREG | 0600u);
  EXPECT_EQ(A.mtime_sec, 1234567890);
  // Names.
  ASSERT_EQ(p9c::mkdir(C, 1, "dir", 3, 0755, Q), 0);
  EXPECT_EQ(Q.type, p9c::QidDirectory);
  ASSERT_EQ(p9c::symlink(C, 1, "link", 4, "/etc/passwd", Q), 0);
  EXPECT_EQ(Q.type, p9c::QidSymlink);
  ASSERT_EQ(walk(1, 5, "link"), 0);
  char Target[64];
  ASSERT_EQ(p9c::readlink(C, 5, Target, sizeof Target), 11); // its length
  EXPECT_STREQ(Target, "/etc/passwd");
  ASSERT_EQ(p9c::link(C, 1, 4, "hard", 4), 0);
  EXPECT_EQ(inode(Vol + "/hard"), inode(Vol + "/new"));
  ASSERT_EQ(p9c::renameat(C, 1, "hard", 4, 1, "hard2", 5), 0);
  ASSERT_EQ(p9c::unlinkat(C, 1, "hard2", 5, false), 0);
  ASSERT_EQ(p9c::unlinkat(C, 1, "dir", 3, true), 0);
  EXPECT_FALSE(std::filesystem::exists(Vol + "/dir"));
  p9c::StatFs F;
  ASSERT_EQ(p9c::statfs(C, 1, F), 0);
  EXPECT_GT(F.bsize, 0u);
  // A folder's entries, as the client parses them.
  ASSERT_EQ(walk(1, 6, ""), 0);
  ASSERT_EQ(p9c::lopen(C, 6, O_RDONLY | O_DIRECTORY), 0);
  long Got = p9c::readdir(C, 6, 0, Buffer, sizeof Buffer);
  ASSERT_GT(Got, 0);
  std::set<std::string> Names;
  size_t At = 0;
  p9c::DirRecord D;
  while (p9c::next_record(reinterpret_cast<uint8_t *>(Buffer), size_t(Got), At, D))
    Names.insert(std::string(D.name, D.name_len));
  EXPECT_EQ(Names, (std::set<std::string>{".", "..", "d", "f", "link", "new"}));
  // Errors come back as the client's negative errnos.
  EXPECT_EQ(walk(1, 7, "missing"), -ENOENT);
  EXPECT_EQ(walk(1, 7, "../outside"), -EINVAL);
  EXPECT_EQ(p9c::lopen(C, 5, O_RDONLY), -ELOOP);
}

TEST_F(VolumeClientTest, LargeTransfersInMessageSizedPieces) {
  start();
  std::string Data(3 * 1024 * 1024 + 17, '\0');
  for (size_t I = 0; I < Data.size(); ++I)
    Data[I] = char(I * 7 + I / 4096);
  ASSERT_EQ(walk(1, 2, ""), 0);
  p9c::Qid Q;
  ASSERT_EQ(p9c::lcreate(C, 2, "big", 3, O_RDWR, 0644, Q), 0);
  for (size_t At = 0; At < Data.size();) {
    long N = p9c::write(C, 2, At, Data.data() + At, Data.size() - At);
    ASSERT_GT(N, 0);
    At += size_t(N);
  }
  EXPECT_EQ(get(Vol + "/big"), Data);
  std::string Back(Data.size(), '\0');
  for (size_t At = 0; At < Back.size();) {
    long N = p9c::read(C, 2, At, Back.data() + At, Back.size() - At);
    ASSERT_GT(N, 0);
    At += size_t(N);
  }
  EXPECT_EQ(Back, Data);
}

TEST_F(VolumeClientTest, ReadOnlyVolume) {
  volume::ServerOptions O;
  O.ReadOnly = true;
  start(O);
  p9c::Qid Q;
  EXPECT_EQ(p9c::mkdir(C, 1, "dir", 3, 0755, Q), -EROFS);
  ASSERT_EQ(walk(1, 2, ""), 0);
  EXPECT_EQ(p9c::lcreate(C, 2, "new", 3, O_RDWR, 0644, Q), -EROFS);
  ASSERT_EQ(walk(1, 3, "f"), 0);
  EXPECT_EQ(p9c::lopen(C, 3, O_RDWR), -EROFS);
  ASSERT_EQ(p9c::lopen(C, 3, O_RDONLY), 0);
  char Buffer[16];
  EXPECT_EQ(p9c::read(C, 3, 0, Buffer, sizeof Buffer), 5);
}

} // namespace
