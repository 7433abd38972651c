// HypercallTest: the monitor's hypercall handlers against hostile arguments: every
// malformed call is a fault with a message, never an access outside guest memory;
// volume calls reach their servers.
#include "Error.h"
#include "Hypercalls.h"
#include "NinePClient.h"
#include "VolumeSet.h"

#include "uk/abi/kvm.h"

#include <gtest/gtest.h>

#include <string>

using namespace ukcxx;

namespace {

/// Collects what the guest writes.
struct RecordingConsole : Console {
  std::string Out[3];
  ssize_t write(int Stream, const iovec *Buffers, int Count) override {
    ssize_t N = 0;
    for (int I = 0; I < Count; ++I) {
      Out[Stream].append(static_cast<const char *>(Buffers[I].iov_base), Buffers[I].iov_len);
      N += ssize_t(Buffers[I].iov_len);
    }
    return N;
  }
  ssize_t read(const iovec *Buffers, int Count) override { return 0; }
};

/// 1 MiB of guest memory with page tables at 0x1000 mapping virtual 0x400000.. to
/// physical 0x10000.. (16 pages, user, writable), and virtual 0x800000 to a large
/// page at physical 0 (read-only).
class Guest : public ::testing::Test {
protected:
  std::vector<uint8_t> Ram = std::vector<uint8_t>(1 << 20);
  GuestMemory Memory{Ram.data(), Ram.size()};
  RecordingConsole Out;
  static constexpr uint64_t Cr3 = 0x1000, Call = 0x8000;

  void SetUp() override {
    auto Set = [&](uint64_t At, uint64_t V) { Memory.write(At, V); };
    Set(0x1000, 0x2000 | 7);             // PML4[0] -> PDPT
    Set(0x2000, 0x3000 | 7);             // PDPT[0] -> PD
    Set(0x3000 + 2 * 8, 0x4000 | 7);     // PD[2] (0x400000) -> PT
    Set(0x3000 + 4 * 8, 0x0 | 0x80 | 5); // PD[4] (0x800000): 2 MiB page, read-only
    for (int I = 0; I < 16; ++I)
      Set(0x4000 + I * 8, (0x10000 + I * 0x1000) | 7);
  }

  HypercallOutcome console(uint64_t Data, uint64_t Len, uint32_t Stream = 1,
                           uint64_t Root = Cr3) {
    uk_hc_console C{};
    C.data = Data;
    C.len = Len;
    C.cr3 = Root;
    C.stream = Stream;
    Memory.write(Call, C);
    return handleHypercall(UK_KVM_HYPERCALL_PORT + UK_HC_CONSOLE_WRITE, Call, Memory, Out);
  }
};

TEST_F(Guest, WritesAcrossPages) {
  std::memcpy(Ram.data() + 0x10ffe, "hi there", 8); // crosses into the next page
  auto O = console(0x400ffe, 8);
  EXPECT_EQ(O.Kind, HypercallOutcome::Continue);
  EXPECT_EQ(Out.Out[1], "hi there");
  uk_hc_console C;
  Memory.read(Call, C);
  EXPECT_EQ(C.result, 8);
}

TEST_F(Guest, LargePagesAndStderr) {
  auto O = console(0x800000 + 0x10000, 4, 2);
  EXPECT_EQ(O.Kind, HypercallOutcome::Continue);
  EXPECT_EQ(Out.Out[2].size(), 4u);
}

TEST_F(Guest, MalformedConsoleCallsFault) {
  EXPECT_EQ(console(0x300000, 1).Error,
            "console buffer 0x300000+0x1 is not mapped for the program");
  EXPECT_EQ(console(0x40f000, 0x2000).Error,
            "console buffer 0x40f000+0x2000 is not mapped for the program");
  EXPECT_EQ(console(0x400000, 1, 7).Error, "console write to stream 7");
  EXPECT_EQ(console(0x400000, ~0ull).Error, "console transfer of 0xffffffffffffffff bytes");
  EXPECT_EQ(console(0xfffffffffffff000, 16).Error,
            "console buffer 0xfffffffffffff000+0x10 is not mapped for the program");
  // A page-table root outside guest memory.
  EXPECT_EQ(console(0x400000, 1, 1, 0x7fff0000).Kind, HypercallOutcome::Fault);
  // Page tables that point outside guest memory.
  Memory.write(uint64_t(0x4000), uint64_t(0xfff00000 | 7));
  EXPECT_EQ(console(0x400000, 1).Kind, HypercallOutcome::Fault);
  EXPECT_TRUE(Out.Out[1].empty());
}

TEST_F(Guest, CallStructOutsideMemory) {
  auto O = handleHypercall(UK_KVM_HYPERCALL_PORT, 0xfffff000, Memory, Out);
  EXPECT_EQ(O.Error, "console call at 0xfffff000 lies outside guest memory");
  O = handleHypercall(UK_KVM_HYPERCALL_PORT, uint32_t(Ram.size() - 8), Memory, Out);
  EXPECT_EQ(O.Kind, HypercallOutcome::Fault);
}

TEST_F(Guest, Exit) {
  uk_hc_exit E{1, 139, 12};
  Memory.write(Call, E);
  auto O = handleHypercall(UK_KVM_HYPERCALL_PORT + UK_HC_EXIT, Call, Memory, Out);
  EXPECT_EQ(O.Kind, HypercallOutcome::Exit);
  EXPECT_EQ(O.ExitKind, 1u);
  EXPECT_EQ(O.Status, 139u);
  EXPECT_EQ(O.Syscalls, 12u);
  E.status = 256;
  Memory.write(Call, E);
  O = handleHypercall(UK_KVM_HYPERCALL_PORT + UK_HC_EXIT, Call, Memory, Out);
  EXPECT_EQ(O.Error, "exit call with kind 1 and status 256");
}

TEST_F(Guest, Clock) {
  auto O = handleHypercall(UK_KVM_HYPERCALL_PORT + UK_HC_CLOCK, Call, Memory, Out);
  EXPECT_EQ(O.Kind, HypercallOutcome::Continue);
  uk_hc_clock C;
  Memory.read(Call, C);
  EXPECT_GT(C.realtime_ns, 1700000000ll * 1000000000);
  O = handleHypercall(UK_KVM_HYPERCALL_PORT + UK_HC_CLOCK, uint32_t(Ram.size() - 4), Memory,
                      Out);
  EXPECT_EQ(O.Kind, HypercallOutcome::Fault);
}

TEST_F(Guest, UnknownPortsAndCalls) {
  EXPECT_EQ(handleHypercall(0x3f8, 0, Memory, Out).Error,
            "I/O to port 0x3f8, which is not a hypercall");
  EXPECT_EQ(handleHypercall(UK_KVM_HYPERCALL_PORT + 9, Call, Memory, Out).Error,
            "hypercall 9 is not implemented by this monitor");
}

/// The guest above with two volumes: a folder read-write, and the same read-only.
class VolumeGuest : public Guest {
protected:
  std::string Folder;
  std::unique_ptr<VolumeSet> Volumes;
  static constexpr uint64_t Request = 0x20000, ReplyAt = 0x30000;

  void SetUp() override {
    Guest::SetUp();
    char Template[] = "/tmp/ukvolume-hc-XXXXXX";
    ASSERT_NE(mkdtemp(Template), nullptr);
    Folder = Template;
    test9p::VolumeFixture::put(Folder + "/f", "hello");
    Volumes = std::make_unique<VolumeSet>(
        std::vector<VolumeSpec>{{Folder, "/data", false}, {Folder, "/ro", true}});
  }
  void TearDown() override {
    Volumes.reset();
    std::filesystem::remove_all(Folder);
  }

  /// Puts M at Request and makes the volume call; Result gets the call's result.
  HypercallOutcome transact(uint32_t Volume, const test9p::Message &M, int64_t &Result,
                            uint64_t Capacity = 0x10000) {
    std::vector<uint8_t> Bytes = M.bytes();
    std::memcpy(Ram.data() + Request, Bytes.data(), Bytes.size());
    uk_hc_volume C{};
    C.volume = Volume;
    C.request = Request;
    C.request_len = Bytes.size();
    C.reply = ReplyAt;
    C.reply_cap = Capacity;
    C.result = 12345;
    Memory.write(Call, C);
    auto O =
        handleHypercall(UK_KVM_HYPERCALL_PORT + UK_HC_VOLUME, Call, Memory, Out, Volumes.get());
    Memory.read(Call, C);
    Result = C.result;
    return O;
  }
  uint8_t replyType() const { return Ram[ReplyAt + 4]; }
};

TEST_F(VolumeGuest, MessagesThroughTheHypercall) {
  int64_t Result;
  using test9p::Message;
  ASSERT_EQ(
      transact(0, Message(ukcxx::p9::Tversion, 0xffff).u32(8192).str("9P2000.L"), Result).Kind,
      HypercallOutcome::Continue);
  EXPECT_EQ(Result, 7 + 4 + 2 + 8);
  EXPECT_EQ(replyType(), ukcxx::p9::Tversion + 1);
  transact(0, Message(ukcxx::p9::Tattach).u32(0).u32(~0u).str("").str("").u32(0), Result);
  EXPECT_EQ(Result, 7 + 13);
  transact(0, Message(ukcxx::p9::Twalk).u32(0).u32(1).u16(1).str("f"), Result);
  EXPECT_EQ(replyType(), ukcxx::p9::Twalk + 1);
  transact(0, Message(ukcxx::p9::Tlopen).u32(1).u32(0), Result);
  transact(0, Message(ukcxx::p9::Tread).u32(1).u64(0).u32(100), Result);
  EXPECT_EQ(Result, 11 + 5);
  EXPECT_EQ(std::string(reinterpret_cast<char *>(Ram.data() + ReplyAt + 11), 5), "hello");
  // The read-only volume, in a session of its own.
  transact(1, Message(ukcxx::p9::Tversion, 0xffff).u32(8192).str("9P2000.L"), Result);
  transact(1, Message(ukcxx::p9::Tattach).u32(0).u32(~0u).str("").str("").u32(0), Result);
  transact(1, Message(ukcxx::p9::Tmkdir).u32(0).str("x").u32(0755).u32(0), Result);
  EXPECT_EQ(replyType(), ukcxx::p9::Rlerror);
  EXPECT_EQ(Ram[ReplyAt + 7], EROFS);
  // No such volume: an answer, not a fault (and none at all without volumes).
  EXPECT_EQ(transact(2, Message(ukcxx::p9::Tclunk).u32(0), Result).Kind,
            HypercallOutcome::Continue);
  EXPECT_EQ(Result, -ENODEV);
  uk_hc_volume C{};
  Memory.write(Call, C);
  handleHypercall(UK_KVM_HYPERCALL_PORT + UK_HC_VOLUME, Call, Memory, Out);
  Memory.read(Call, C);
  EXPECT_EQ(C.result, -ENODEV);
}

TEST_F(VolumeGuest, MalformedVolumeCallsFault) {
  int64_t Result;
  using test9p::Message;
  EXPECT_EQ(transact(0, Message(ukcxx::p9::Tclunk).u32(0), Result, 8).Error,
            "volume 0: a reply buffer of 8 bytes cannot hold a 9P reply");
  EXPECT_EQ(
      transact(0, Message(ukcxx::p9::Tclunk).u32(0), Result, Ram.size()).Error,
      "volume 0: request 0x20000+0xb or reply 0x30000+0x100000 lies outside guest memory");
  uk_hc_volume C{};
  C.request = Request;
  C.request_len = 3;
  C.reply = ReplyAt;
  C.reply_cap = 64;
  Memory.write(Call, C);
  EXPECT_EQ(
      handleHypercall(UK_KVM_HYPERCALL_PORT + UK_HC_VOLUME, Call, Memory, Out, Volumes.get())
          .Error,
      "volume 0: a 9P request of 3 bytes has no header");
  C.request = ~0ull - 4;
  C.request_len = 16;
  Memory.write(Call, C);
  EXPECT_EQ(
      handleHypercall(UK_KVM_HYPERCALL_PORT + UK_HC_VOLUME, Call, Memory, Out, Volumes.get())
          .Kind,
      HypercallOutcome::Fault);
  C = {};
  C.reserved = 1;
  Memory.write(Call, C);
  EXPECT_EQ(
      handleHypercall(UK_KVM_HYPERCALL_PORT + UK_HC_VOLUME, Call, Memory, Out, Volumes.get())
          .Error,
      "volume call with reserved field 0x1");
  EXPECT_EQ(handleHypercall(UK_KVM_HYPERCALL_PORT + UK_HC_VOLUME, uint32_t(Ram.size() - 8),
                            Memory, Out, Volumes.get())
                .Kind,
            HypercallOutcome::Fault);
}

TEST_F(VolumeGuest, VolumeInfo) {
  auto Info = [&](uint32_t Volume, uint32_t Size = sizeof(uk_hc_volume_info)) {
    uk_hc_volume_info I{};
    I.size = Size;
    I.volume = Volume;
    Memory.write(Call, I);
    auto O = handleHypercall(UK_KVM_HYPERCALL_PORT + UK_HC_VOLUME_INFO, Call, Memory, Out,
                             Volumes.get());
    EXPECT_EQ(O.Error, Size == sizeof I ? "" : O.Error);
    Memory.read(Call, I);
    return std::make_pair(O, I);
  };
  auto [O, I] = Info(0);
  EXPECT_EQ(I.result, 0);
  EXPECT_STREQ(I.tag, "/data");
  EXPECT_EQ(I.flags, 0u);
  EXPECT_EQ(I.msize, 1u << 20);
  std::tie(O, I) = Info(1);
  EXPECT_STREQ(I.tag, "/ro");
  EXPECT_EQ(I.flags, UK_VOLUME_READONLY);
  std::tie(O, I) = Info(2);
  EXPECT_EQ(I.result, -ENODEV);
  std::tie(O, I) = Info(0, 200);
  EXPECT_EQ(O.Error, "volume info call of 200 bytes; this monitor's has 280");
}

TEST(VolumeSet, RefusesBadSpecs) {
  auto Error = [](std::vector<VolumeSpec> Specs) {
    try {
      VolumeSet V(Specs);
    } catch (const ukcxx::Error &E) {
      return std::string(E.what());
    }
    return std::string();
  };
  EXPECT_EQ(Error({{"/nonexistent-folder", "/data", false}}),
            "cannot use '/nonexistent-folder' as a volume: No such file or directory");
  EXPECT_EQ(Error({{"/etc/passwd", "/data", false}}),
            "cannot use '/etc/passwd' as a volume: Not a directory");
  EXPECT_EQ(Error({{"/tmp", "", false}}), "volume tag '' must be 1 to 255 bytes");
  EXPECT_EQ(Error({{"/tmp", "/a", false}, {"/", "/a", true}}), "two volumes for '/a'");
  EXPECT_EQ(Error({{"/tmp", "/a", false}}), "");
}

} // namespace
