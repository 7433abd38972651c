// HypercallTest: the monitor's hypercall handlers against hostile arguments: every
// malformed call is a fault with a message, never an access outside guest memory.
#include "Hypercalls.h"

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

} // namespace
