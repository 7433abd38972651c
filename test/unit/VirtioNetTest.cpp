// VirtioNetTest: the monitor's virtio-net device over fake guest memory: its registers,
// feature negotiation, queue set-up, and descriptor chains well-formed and hostile.
#include "VirtioDriverFake.h"

using namespace ukcxx;
using namespace ukcxx::testnet;

namespace {

constexpr uint32_t NeedsReset = VirtioNet::StatusNeedsReset;

std::vector<uint8_t> frameOf(size_t Length, uint8_t Seed) {
  std::vector<uint8_t> F(Length);
  for (size_t I = 0; I < Length; ++I)
    F[I] = uint8_t(Seed + I);
  return F;
}

TEST(VirtioNetTest, IdentifiesItselfAsAModernNetworkDevice) {
  FakeGuest G;
  EXPECT_EQ(G.reg(RegMagic), 0x74726976u);
  EXPECT_EQ(G.reg(RegVersion), 2u);
  EXPECT_EQ(G.reg(RegDeviceId), 1u);
  G.set(RegDeviceFeaturesSel, 0);
  // CSUM, GUEST_CSUM, MTU, MAC, EVENT_IDX.
  EXPECT_EQ(G.reg(RegDeviceFeatures), 1u | 1u << 1 | 1u << 3 | 1u << 5 | 1u << 29);
  G.set(RegDeviceFeaturesSel, 1);
  EXPECT_EQ(G.reg(RegDeviceFeatures), 1u); // VERSION_1
  G.set(RegDeviceFeaturesSel, 2);
  EXPECT_EQ(G.reg(RegDeviceFeatures), 0u);
  // The MAC byte by byte, as the driver reads it, and the MTU.
  uint8_t Mac[6];
  for (unsigned I = 0; I < 6; ++I)
    Mac[I] = uint8_t(G.Device.read(RegConfig + I, 1));
  EXPECT_EQ(Mac[0], 0x52);
  EXPECT_EQ(Mac[5], 0x56);
  EXPECT_EQ(G.Device.read(RegConfig + 10, 2), 1500u);
  for (uint16_t Q : {0, 1}) {
    G.set(RegQueueSel, Q);
    EXPECT_EQ(G.reg(RegQueueNumMax), 256u);
  }
  G.set(RegQueueSel, 2);
  EXPECT_EQ(G.reg(RegQueueNumMax), 0u);
  // Register widths other than 4 bytes read nothing.
  EXPECT_EQ(G.Device.read(RegMagic, 2), 0u);
}

TEST(VirtioNetTest, FeaturesOkOnlyForOfferedFeaturesWithVersion1) {
  FakeGuest G;
  EXPECT_FALSE(G.negotiate(1u << 5) & FeaturesOk); // no VERSION_1: a legacy driver
  EXPECT_FALSE(G.negotiate(1ull << 32 | 1u << 11) & FeaturesOk);   // HOST_TSO4: not offered
  EXPECT_FALSE(G.negotiate(1ull << 32 | 1ull << 28) & FeaturesOk); // INDIRECT_DESC
  EXPECT_TRUE(G.negotiate(1ull << 32 | 1u << 5 | 1u << 3) & FeaturesOk);
  // DRIVER_OK without FEATURES_OK does not start the device.
  FakeGuest H;
  H.set(RegStatus, Acknowledge | DriverBit | DriverOk);
  EXPECT_FALSE(H.Device.running());
}

TEST(VirtioNetTest, QueueSetUpIsChecked) {
  FakeGuest G;
  G.negotiate(1ull << 32);
  G.setQueue(0, 8, G.descriptors(0), G.avail(0), G.used(0));
  G.set(RegQueueSel, 0);
  EXPECT_EQ(G.reg(RegQueueReady), 1u);
  // A live queue's registers do not move.
  G.set(RegQueueDescLow, 0x12340);
  G.set(RegStatus, Acknowledge | DriverBit | FeaturesOk | DriverOk);
  EXPECT_FALSE(G.Device.broken());

  for (auto Bad : {std::make_tuple(uint16_t(6), uint64_t(0x1000), uint64_t(0x2000),
                                   uint64_t(0x3000)), // not a power of two
                   std::make_tuple(uint16_t(8), uint64_t(0x1008), uint64_t(0x2000),
                                   uint64_t(0x3000)), // misaligned descriptors
                   std::make_tuple(uint16_t(256), uint64_t(FakeGuest::MemorySize - 16),
                                   uint64_t(0x2000), uint64_t(0x3000)), // past the end
                   std::make_tuple(uint16_t(8), uint64_t(0x1000), uint64_t(0x2000),
                                   uint64_t(~0ull - 3))}) { // wraps around
    FakeGuest B;
    B.negotiate(1ull << 32);
    auto [Size, Desc, Avail, Used] = Bad;
    B.setQueue(1, Size, Desc, Avail, Used);
    EXPECT_TRUE(B.Device.broken());
    EXPECT_TRUE(B.reg(RegStatus) & NeedsReset);
    EXPECT_EQ(B.reg(RegQueueReady), 0u);
    // A reset makes it usable again.
    B.set(RegStatus, 0);
    EXPECT_FALSE(B.Device.broken());
    EXPECT_EQ(B.reg(RegStatus), 0u);
  }
}

TEST(VirtioNetTest, TransmitsABatchWithOneInterrupt) {
  FakeGuest G;
  G.start();
  for (uint16_t I = 0; I < 3; ++I)
    G.send(I, frameOf(60 + I, uint8_t(I)));
  std::vector<Frame> Sent;
  G.Device.transmit(Sent);
  ASSERT_EQ(Sent.size(), 3u);
  for (uint16_t I = 0; I < 3; ++I)
    EXPECT_EQ(Sent[I], frameOf(60 + I, uint8_t(I)));
  EXPECT_EQ(G.usedIndex(1), 3);
  EXPECT_EQ(G.usedElement(1, 2).first, 2u);
  EXPECT_EQ(G.Interrupts, 1u);
  EXPECT_EQ(G.reg(RegInterruptStatus) & 1, 1u);
  G.set(RegInterruptAck, 1);
  EXPECT_EQ(G.reg(RegInterruptStatus), 0u);
  // Nothing new: no interrupt.
  G.Device.transmit(Sent);
  EXPECT_EQ(G.Interrupts, 1u);
}

TEST(VirtioNetTest, AFrameSplitOverAChainIsReassembled) {
  FakeGuest G;
  G.start();
  // Header alone, then the frame in two pieces: descriptors 4 -> 2 -> 7.
  std::vector<uint8_t> F = frameOf(100, 9);
  uint64_t B = FakeGuest::Buffers;
  std::memset(G.Ram.data() + B, 0, 12);
  std::memcpy(G.Ram.data() + B + 0x100, F.data(), 30);
  std::memcpy(G.Ram.data() + B + 0x200, F.data() + 30, 70);
  G.descriptor(1, 4, B, 12, DescNext, 2);
  G.descriptor(1, 2, B + 0x100, 30, DescNext, 7);
  G.descriptor(1, 7, B + 0x200, 70, 0);
  G.offer(1, 4);
  std::vector<Frame> Sent;
  G.Device.transmit(Sent);
  ASSERT_EQ(Sent.size(), 1u);
  EXPECT_EQ(Sent[0], F);
  EXPECT_EQ(G.usedElement(1, 0).first, 4u);
}

TEST(VirtioNetTest, NoInterruptWhenTheDriverSaysSo) {
  FakeGuest G;
  G.start();
  G.poke<uint16_t>(G.avail(1), 1); // VIRTQ_AVAIL_F_NO_INTERRUPT
  G.send(0, frameOf(60, 0));
  std::vector<Frame> Sent;
  G.Device.transmit(Sent);
  EXPECT_EQ(Sent.size(), 1u);
  EXPECT_EQ(G.usedIndex(1), 1);
  EXPECT_EQ(G.Interrupts, 0u);
}

/// Runs transmit on G and expects the device broken, with nothing sent.
void expectBroken(FakeGuest &G, const char *Why) {
  std::vector<Frame> Sent;
  G.Device.transmit(Sent);
  EXPECT_TRUE(G.Device.broken()) << Why;
  EXPECT_TRUE(G.reg(RegStatus) & NeedsReset) << Why;
  EXPECT_TRUE(Sent.empty()) << Why;
  EXPECT_EQ(G.reg(RegInterruptStatus) & 2, 2u) << Why; // configuration change
  // A broken device does nothing more until reset.
  G.send(5, frameOf(60, 0));
  G.Device.transmit(Sent);
  EXPECT_TRUE(Sent.empty()) << Why;
}

TEST(VirtioNetTest, ALoopingChainBreaksTheDevice) {
  FakeGuest G;
  G.start();
  G.descriptor(1, 0, FakeGuest::Buffers, 20, DescNext, 1);
  G.descriptor(1, 1, FakeGuest::Buffers, 20, DescNext, 0);
  G.offer(1, 0);
  expectBroken(G, "loop");
  EXPECT_NE(G.Device.brokenReason().find("loop"), std::string::npos);
}

TEST(VirtioNetTest, BuffersOutsideGuestMemoryBreakTheDevice) {
  for (uint64_t Address : {uint64_t(FakeGuest::MemorySize - 10),
                           uint64_t(FakeGuest::MemorySize), uint64_t(~0ull - 5)}) {
    FakeGuest G;
    G.start();
    G.descriptor(1, 0, Address, 20, 0);
    G.offer(1, 0);
    expectBroken(G, "out of bounds");
  }
}

TEST(VirtioNetTest, OutOfRangeIndexesBreakTheDevice) {
  {
    FakeGuest G; // a head beyond the table
    G.start();
    G.offer(1, 8);
    expectBroken(G, "head");
  }
  {
    FakeGuest G; // a next beyond the table
    G.start();
    G.descriptor(1, 0, FakeGuest::Buffers, 20, DescNext, 200);
    G.offer(1, 0);
    expectBroken(G, "next");
  }
  {
    FakeGuest G; // an avail index more than a ring ahead
    G.start();
    G.poke<uint16_t>(G.avail(1) + 2, 9);
    expectBroken(G, "avail index");
  }
}

TEST(VirtioNetTest, ChainsTooLargeOrMisorderedBreakTheDevice) {
  {
    FakeGuest G; // 8 descriptors of 64 KiB each, all valid memory: too many bytes
    G.start();
    for (uint16_t I = 0; I < 8; ++I)
      G.descriptor(1, I, 0, 0x10000, I < 7 ? DescNext : 0, uint16_t(I + 1));
    G.offer(1, 0);
    expectBroken(G, "too large");
  }
  {
    FakeGuest G; // a writable buffer in a transmit chain
    G.start();
    G.descriptor(1, 0, FakeGuest::Buffers, 100, DescWrite);
    G.offer(1, 0);
    expectBroken(G, "writable");
  }
  {
    FakeGuest G; // readable after writable
    G.start();
    G.descriptor(1, 0, FakeGuest::Buffers, 100, DescWrite | DescNext, 1);
    G.descriptor(1, 1, FakeGuest::Buffers, 100, 0);
    G.offer(1, 0);
    expectBroken(G, "order");
  }
  {
    FakeGuest G; // indirect descriptors were not negotiated
    G.start();
    G.descriptor(1, 0, FakeGuest::Buffers, 64, 4);
    G.offer(1, 0);
    expectBroken(G, "indirect");
  }
}

TEST(VirtioNetTest, IndexesWrapAround) {
  // More than 65,536 frames through a queue of 4: both free-running indexes wrap.
  FakeGuest G;
  G.start(4);
  std::vector<Frame> Sent;
  uint64_t Total = 0;
  for (unsigned Round = 0; Round < 70000 / 4; ++Round) {
    for (uint16_t I = 0; I < 4; ++I)
      G.send(I, frameOf(20, uint8_t(Round)));
    Sent.clear();
    G.Device.transmit(Sent);
    ASSERT_EQ(Sent.size(), 4u) << "round " << Round;
    ASSERT_EQ(Sent[3], frameOf(20, uint8_t(Round)));
    Total += Sent.size();
  }
  EXPECT_FALSE(G.Device.broken());
  EXPECT_EQ(G.usedIndex(1), uint16_t(Total));
  EXPECT_LT(G.usedIndex(1), Total); // it did wrap
}

TEST(VirtioNetTest, ReceivesIntoOfferedBuffers) {
  FakeGuest G;
  G.start();
  G.offerReceiveBuffers(2);
  std::deque<Frame> Backlog = {frameOf(60, 1), frameOf(3000, 2), frameOf(1514, 3),
                               frameOf(70, 4)};
  G.Device.receive(Backlog);
  // Two buffers: the first frame, and the second returned empty (too large for a
  // buffer: dropped); the other two wait.
  EXPECT_EQ(Backlog.size(), 2u);
  ASSERT_EQ(G.usedIndex(0), 2);
  auto [Id, Length] = G.usedElement(0, 0);
  EXPECT_EQ(Id, 0u);
  ASSERT_EQ(Length, 12u + 60);
  EXPECT_EQ(G.received(Id, Length), frameOf(60, 1));
  EXPECT_EQ(G.peek<uint16_t>(FakeGuest::Buffers + 10), 1); // num_buffers
  EXPECT_EQ(G.usedElement(0, 1).second, 0u);
  EXPECT_EQ(G.Interrupts, 1u);
  // More buffers: the rest arrives, with one more interrupt.
  G.offerReceiveBuffers(2);
  G.Device.receive(Backlog);
  EXPECT_TRUE(Backlog.empty());
  EXPECT_EQ(G.usedIndex(0), 4);
  EXPECT_EQ(G.received(G.usedElement(0, 3).first, G.usedElement(0, 3).second), frameOf(70, 4));
  EXPECT_EQ(G.Interrupts, 2u);
}

TEST(VirtioNetTest, AReadableReceiveBufferBreaksTheDevice) {
  FakeGuest G;
  G.start();
  G.descriptor(0, 0, FakeGuest::Buffers, 2048, 0);
  G.offer(0, 0);
  std::deque<Frame> Backlog = {frameOf(60, 1)};
  G.Device.receive(Backlog);
  EXPECT_TRUE(G.Device.broken());
}

TEST(VirtioNetTest, NotificationsThroughTheRegisterReachTheNetworkThread) {
  FakeGuest G;
  G.start();
  G.set(RegQueueNotify, 1);
  G.set(RegQueueNotify, 0);
  G.set(RegQueueNotify, 7); // no such queue
  EXPECT_EQ(G.Notified, (std::vector<uint16_t>{1, 0}));
}

} // namespace
