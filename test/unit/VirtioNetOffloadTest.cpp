// VirtioNetOffloadTest: the monitor's virtio-net device with EVENT_IDX (interrupts and
// kicks only where each side asked for them) and checksum offload (sums it completes
// for the guest, frames it marks checked), against checksums computed here the plain
// way, big-endian word by word as RFC 1071 writes them.
#include "VirtioDriverFake.h"

using namespace ukcxx;
using namespace ukcxx::testnet;
namespace net = uk::virtio_net;

namespace {

constexpr uint64_t Version1 = 1ull << 32, Mac = 1u << 5, EventIdx = 1u << 29,
                   Csum = net::FeatureCsum, GuestCsum = net::FeatureGuestCsum;
constexpr size_t Ethernet = 14, IpHeader = 20;

/// The ones'-complement sum of Bytes as big-endian words, folded.
uint16_t onesSum(const std::vector<uint8_t> &Bytes) {
  uint32_t Sum = 0;
  for (size_t I = 0; I < Bytes.size(); I += 2)
    Sum += uint32_t(Bytes[I]) << 8 | (I + 1 < Bytes.size() ? Bytes[I + 1] : 0);
  while (Sum >> 16)
    Sum = (Sum & 0xffff) + (Sum >> 16);
  return uint16_t(Sum);
}

/// The pseudo-header and the transport packet of F (an IPv4 frame without options).
std::vector<uint8_t> summedBytes(const std::vector<uint8_t> &F) {
  size_t Length = (size_t(F[Ethernet + 2]) << 8 | F[Ethernet + 3]) - IpHeader;
  std::vector<uint8_t> Bytes(F.begin() + Ethernet + 12, F.begin() + Ethernet + 20);
  Bytes.insert(Bytes.end(), {0, F[Ethernet + 9], uint8_t(Length >> 8), uint8_t(Length)});
  auto Packet = F.begin() + Ethernet + IpHeader;
  Bytes.insert(Bytes.end(), Packet, Packet + Length);
  return Bytes;
}

size_t checksumAt(const std::vector<uint8_t> &F) {
  return Ethernet + IpHeader + (F[Ethernet + 9] == net::Tcp ? 16 : 6);
}

void setChecksum(std::vector<uint8_t> &F, uint16_t Value) {
  F[checksumAt(F)] = uint8_t(Value >> 8);
  F[checksumAt(F) + 1] = uint8_t(Value);
}

/// An Ethernet frame with an IPv4 TCP or UDP packet of Payload bytes, its checksum right.
std::vector<uint8_t> packet(uint8_t Protocol, size_t Payload) {
  size_t Transport = (Protocol == net::Tcp ? 20 : 8) + Payload;
  size_t Total = IpHeader + Transport;
  std::vector<uint8_t> F(Ethernet + Total);
  F[12] = 0x08; // IPv4
  // Version 4, 20 bytes, don't fragment, TTL 64, 10.0.2.2 to 10.0.2.15.
  uint8_t Ip[IpHeader] = {0x45, 0, 0, 0, 0, 1, 0x40, 0, 64, 0, 0, 0, 10, 0, 2, 2, 10, 0, 2, 15};
  Ip[2] = uint8_t(Total >> 8), Ip[3] = uint8_t(Total), Ip[9] = Protocol;
  std::copy(Ip, Ip + IpHeader, F.begin() + Ethernet);
  for (size_t I = Ethernet + IpHeader; I < F.size(); ++I)
    F[I] = uint8_t(I * 7 + 3);
  if (Protocol == net::Udp) {
    F[Ethernet + IpHeader + 4] = uint8_t(Transport >> 8);
    F[Ethernet + IpHeader + 5] = uint8_t(Transport);
  }
  setChecksum(F, 0);
  setChecksum(F, uint16_t(~onesSum(summedBytes(F))));
  return F;
}

bool checksumRight(const std::vector<uint8_t> &F) { return onesSum(summedBytes(F)) == 0xffff; }

std::vector<Frame> transmit(FakeGuest &G) {
  std::vector<Frame> Sent;
  G.Device.transmit(Sent);
  return Sent;
}

TEST(VirtioNetOffloadTest, OffersChecksumsBothWaysAndEventIndexes) {
  FakeGuest G;
  G.set(RegDeviceFeaturesSel, 0);
  uint32_t Low = G.reg(RegDeviceFeatures);
  EXPECT_EQ(Low & (Csum | GuestCsum | EventIdx), Csum | GuestCsum | EventIdx);
  EXPECT_TRUE(G.negotiate(Version1 | Mac | Csum | GuestCsum | EventIdx) & FeaturesOk);
}

TEST(VirtioNetOffloadTest, CompletesTheTcpChecksumTheDriverLeftToIt) {
  FakeGuest G;
  G.start(8, Version1 | Csum | GuestCsum);
  for (size_t Payload : {0, 1, 1000, 1459}) {
    std::vector<uint8_t> Want = packet(net::Tcp, Payload), F = Want;
    // What the guest's driver sends: the pseudo-header's sum in the field.
    setChecksum(F, 0);
    std::vector<uint8_t> Pseudo = summedBytes(F);
    Pseudo.resize(12);
    setChecksum(F, onesSum(Pseudo));
    G.send(0, F, {net::NeedsCsum, 0, 0, 0, uint16_t(Ethernet + IpHeader), 16, 0});
    std::vector<Frame> Sent = transmit(G);
    ASSERT_EQ(Sent.size(), 1u);
    EXPECT_EQ(Sent[0], Want) << Payload << " bytes";
    EXPECT_TRUE(checksumRight(Sent[0]));
  }
  // Frames without the flag go out as they are, a wrong sum included.
  std::vector<uint8_t> Wrong = packet(net::Tcp, 10);
  setChecksum(Wrong, 0x1234);
  G.send(1, Wrong);
  EXPECT_EQ(transmit(G), std::vector<Frame>{Wrong});
  EXPECT_EQ(G.Device.counters().Sent, 5u);
  EXPECT_EQ(G.Device.counters().Summed, 4u);
}

TEST(VirtioNetOffloadTest, FramesAskingForWhatWasNotNegotiatedAreDropped) {
  FakeGuest G;
  G.start(8, Version1 | Csum);
  std::vector<uint8_t> F = packet(net::Tcp, 100);
  uint16_t Start = Ethernet + IpHeader;
  G.send(0, F, {net::NeedsCsum, 0, 0, 0, Start, uint16_t(F.size() - Start - 1), 0});
  G.send(1, F, {net::NeedsCsum, 0, 0, 0, 0xffff, 0xffff, 0}); // far beyond the frame
  G.send(2, F, {0, 1, 54, 1460, 0, 0, 0});                    // segmentation (TSO)
  EXPECT_TRUE(transmit(G).empty());
  EXPECT_FALSE(G.Device.broken()); // the guest's frames are lost, not its device
  EXPECT_EQ(G.usedIndex(VirtioNet::TransmitQueue), 3);
  EXPECT_EQ(G.Device.counters().Dropped, 3u);

  FakeGuest Plain; // no checksum offload negotiated
  Plain.start();
  Plain.send(0, F, {net::NeedsCsum, 0, 0, 0, Start, 16, 0});
  EXPECT_TRUE(transmit(Plain).empty());
  EXPECT_EQ(Plain.Device.counters().Dropped, 1u);
}

/// The flags of the header the device wrote for each of Frames, received in turn.
std::vector<uint8_t> receivedFlags(FakeGuest &G,
                                   const std::vector<std::vector<uint8_t>> &Frames) {
  G.offerReceiveBuffers(uint16_t(Frames.size()));
  std::deque<Frame> Backlog(Frames.begin(), Frames.end());
  G.Device.receive(Backlog);
  std::vector<uint8_t> Flags;
  for (uint16_t I = 0; I < G.usedIndex(VirtioNet::ReceiveQueue); ++I)
    Flags.push_back(G.receivedHeader(G.usedElement(VirtioNet::ReceiveQueue, I).first).flags);
  return Flags;
}

TEST(VirtioNetOffloadTest, MarksOnlyFramesWhoseChecksumItFoundRight) {
  std::vector<uint8_t> Tcp = packet(net::Tcp, 1400), Udp = packet(net::Udp, 33);
  std::vector<uint8_t> BadTcp = Tcp, BadUdp = Udp, NoSumUdp = Udp, Fragment = Udp;
  BadTcp.back() ^= 1;
  BadUdp[checksumAt(BadUdp)] ^= 0x80;
  setChecksum(NoSumUdp, 0);       // UDP over IPv4 may go without
  Fragment[Ethernet + 6] |= 0x20; // more fragments: its sum covers bytes not here
  // A small segment padded to Ethernet's 60 bytes: the padding is not the packet's.
  std::vector<uint8_t> Padded = packet(net::Tcp, 2);
  Padded.resize(60, 0xee);
  std::vector<uint8_t> Arp(60, 0);
  Arp[12] = 0x08, Arp[13] = 0x06;
  std::vector<std::vector<uint8_t>> Frames = {Tcp,      Udp,      BadTcp, BadUdp,
                                              NoSumUdp, Fragment, Padded, Arp};
  const uint8_t V = net::DataValid;

  FakeGuest G;
  G.start(8, Version1 | Csum | GuestCsum);
  EXPECT_EQ(receivedFlags(G, Frames), (std::vector<uint8_t>{V, V, 0, 0, V, 0, V, 0}));
  EXPECT_EQ(G.Device.counters().Received, 8u);
  EXPECT_EQ(G.Device.counters().Checked, 4u);

  FakeGuest Plain; // the driver checks every sum itself
  Plain.start();
  EXPECT_EQ(receivedFlags(Plain, Frames), std::vector<uint8_t>(8, 0));
}

// Event indexes: the avail ring's used_event and the used ring's avail_event, after
// their rings' entries (queues of 8 here).
uint64_t usedEvent(uint16_t Q) { return FakeGuest::avail(Q) + 4 + 2 * 8; }
uint64_t availEvent(uint16_t Q) { return FakeGuest::used(Q) + 4 + 8 * 8; }

TEST(VirtioNetOffloadTest, InterruptsOnlyWhenTheUsedIndexPassesUsedEvent) {
  FakeGuest G;
  G.start(8, Version1 | EventIdx);
  auto sendSome = [&](uint16_t Count) {
    for (uint16_t I = 0; I < Count; ++I)
      G.send(I, packet(net::Udp, I));
    EXPECT_EQ(transmit(G).size(), Count);
  };
  sendSome(3); // used 0 -> 3 passes used_event 0
  EXPECT_EQ(G.Interrupts, 1u);
  G.poke<uint16_t>(usedEvent(1), 10);
  sendSome(5); // -> 8
  EXPECT_EQ(G.Interrupts, 1u);
  sendSome(2); // -> 10: not yet past 10
  EXPECT_EQ(G.Interrupts, 1u);
  sendSome(1); // -> 11
  EXPECT_EQ(G.Interrupts, 2u);
  // The avail ring's NO_INTERRUPT flag means nothing with event indexes.
  G.poke<uint16_t>(G.avail(1), 1);
  G.poke<uint16_t>(usedEvent(1), 11);
  sendSome(1);
  EXPECT_EQ(G.Interrupts, 3u);
  EXPECT_EQ(G.Device.counters().Interrupts, 3u);
}

TEST(VirtioNetOffloadTest, AsksForAKickOnlyOnceItHasTakenEverything) {
  FakeGuest G;
  G.start(8, Version1 | EventIdx);
  for (uint16_t I = 0; I < 3; ++I)
    G.send(I, packet(net::Tcp, I));
  EXPECT_EQ(transmit(G).size(), 3u);
  EXPECT_EQ(G.peek<uint16_t>(availEvent(1)), 3); // a kick for the 4th frame
  // Receive: a kick is wanted only when frames wait for buffers.
  G.offerReceiveBuffers(2);
  std::deque<Frame> Backlog = {packet(net::Udp, 1)};
  G.Device.receive(Backlog);
  EXPECT_EQ(G.peek<uint16_t>(availEvent(0)), 0);
  Backlog = {packet(net::Udp, 2), packet(net::Udp, 3)};
  G.Device.receive(Backlog);
  EXPECT_EQ(Backlog.size(), 1u);
  EXPECT_EQ(G.peek<uint16_t>(availEvent(0)), 2);
}

} // namespace
