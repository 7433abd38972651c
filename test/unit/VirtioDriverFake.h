// VirtioDriverFake: the guest's side of the monitor's virtio-net device, over a fake
// guest memory: set-up through the registers, and descriptors and rings written where
// a test wants them, well-formed or not.
#pragma once

#include "VirtioNet.h"

#include <cstring>
#include <gtest/gtest.h>
#include <vector>

namespace ukcxx::testnet {

// Register offsets (virtio 1.2, 4.2.2).
enum : uint64_t {
  RegMagic = 0x000,
  RegVersion = 0x004,
  RegDeviceId = 0x008,
  RegDeviceFeatures = 0x010,
  RegDeviceFeaturesSel = 0x014,
  RegDriverFeatures = 0x020,
  RegDriverFeaturesSel = 0x024,
  RegQueueSel = 0x030,
  RegQueueNumMax = 0x034,
  RegQueueNum = 0x038,
  RegQueueReady = 0x044,
  RegQueueNotify = 0x050,
  RegInterruptStatus = 0x060,
  RegInterruptAck = 0x064,
  RegStatus = 0x070,
  RegQueueDescLow = 0x080,
  RegQueueDescHigh = 0x084,
  RegQueueDriverLow = 0x090,
  RegQueueDriverHigh = 0x094,
  RegQueueDeviceLow = 0x0a0,
  RegQueueDeviceHigh = 0x0a4,
  RegConfig = 0x100,
};
constexpr uint32_t Acknowledge = 1, DriverBit = 2, DriverOk = 4, FeaturesOk = 8;
constexpr uint16_t DescNext = 1, DescWrite = 2;

/// Guest memory, the device on it, and a driver that lays its queues out at fixed
/// addresses: queue Q's descriptors at 0x1000 + Q * 0x3000, its avail ring 0x1000
/// after, its used ring 0x2000 after; buffers from 0x10000.
struct FakeGuest {
  static constexpr uint64_t MemorySize = 1 << 20, Buffers = 0x10000;
  std::vector<uint8_t> Ram = std::vector<uint8_t>(MemorySize);
  GuestMemory Memory{Ram.data(), MemorySize};
  unsigned Interrupts = 0;
  std::vector<uint16_t> Notified;
  VirtioNet Device{Memory,
                   {0x52, 0x54, 0x00, 0x12, 0x34, 0x56},
                   [this] { ++Interrupts; },
                   [this](uint16_t Q) { Notified.push_back(Q); }};
  uint16_t AvailIndex[2] = {0, 0};
  uint16_t Size[2] = {0, 0};

  static uint64_t descriptors(uint16_t Q) { return 0x1000 + Q * 0x3000; }
  static uint64_t avail(uint16_t Q) { return descriptors(Q) + 0x1000; }
  static uint64_t used(uint16_t Q) { return descriptors(Q) + 0x2000; }

  uint32_t reg(uint64_t Offset) { return Device.read(Offset, 4); }
  void set(uint64_t Offset, uint32_t Value) { Device.write(Offset, Value, 4); }

  /// Negotiates Features (VERSION_1 is bit 32); returns the status read back.
  uint32_t negotiate(uint64_t Features) {
    set(RegStatus, 0);
    set(RegStatus, Acknowledge | DriverBit);
    for (uint32_t Word = 0; Word < 2; ++Word) {
      set(RegDriverFeaturesSel, Word);
      set(RegDriverFeatures, uint32_t(Features >> (32 * Word)));
    }
    set(RegStatus, Acknowledge | DriverBit | FeaturesOk);
    return reg(RegStatus);
  }

  void setQueue(uint16_t Q, uint16_t QueueSize, uint64_t Desc, uint64_t Avail, uint64_t Used) {
    set(RegQueueSel, Q);
    set(RegQueueNum, QueueSize);
    set(RegQueueDescLow, uint32_t(Desc));
    set(RegQueueDescHigh, uint32_t(Desc >> 32));
    set(RegQueueDriverLow, uint32_t(Avail));
    set(RegQueueDriverHigh, uint32_t(Avail >> 32));
    set(RegQueueDeviceLow, uint32_t(Used));
    set(RegQueueDeviceHigh, uint32_t(Used >> 32));
    set(RegQueueReady, 1);
    Size[Q] = QueueSize;
  }

  /// The whole set-up the guest's driver does, with queues of QueueSize and Features
  /// (VERSION_1 and MAC by default).
  void start(uint16_t QueueSize = 8, uint64_t Features = 1ull << 32 | 1u << 5) {
    ASSERT_TRUE(negotiate(Features) & FeaturesOk);
    for (uint16_t Q = 0; Q < 2; ++Q)
      setQueue(Q, QueueSize, descriptors(Q), avail(Q), used(Q));
    set(RegStatus, Acknowledge | DriverBit | FeaturesOk | DriverOk);
    ASSERT_TRUE(Device.running());
  }

  template <typename T> void poke(uint64_t Gpa, const T &Value) {
    std::memcpy(Ram.data() + Gpa, &Value, sizeof Value);
  }
  template <typename T> T peek(uint64_t Gpa) {
    T Value;
    std::memcpy(&Value, Ram.data() + Gpa, sizeof Value);
    return Value;
  }

  void descriptor(uint16_t Q, uint16_t Index, uint64_t Address, uint32_t Length, uint16_t Flags,
                  uint16_t Next = 0) {
    uint64_t At = descriptors(Q) + 16ull * Index;
    poke(At, Address);
    poke(At + 8, Length);
    poke(At + 12, Flags);
    poke(At + 14, Next);
  }

  /// Offers chain Head in queue Q (publishing the new avail index).
  void offer(uint16_t Q, uint16_t Head) {
    poke<uint16_t>(avail(Q) + 4 + 2 * (AvailIndex[Q] % Size[Q]), Head);
    poke<uint16_t>(avail(Q) + 2, ++AvailIndex[Q]);
  }

  /// Queues Frame for sending as a one-descriptor chain (virtio header, then frame) at
  /// descriptor Index, its buffer at Buffers + Index * 2048; the header is Header.
  void send(uint16_t Index, const std::vector<uint8_t> &Frame,
            uk::virtio_net::Header Header = {}) {
    uint64_t Buffer = Buffers + 0x40000 + Index * 2048ull;
    poke(Buffer, Header);
    std::memcpy(Ram.data() + Buffer + VirtioNet::HeaderSize, Frame.data(), Frame.size());
    descriptor(VirtioNet::TransmitQueue, Index, Buffer,
               uint32_t(VirtioNet::HeaderSize + Frame.size()), 0);
    offer(VirtioNet::TransmitQueue, Index);
  }

  /// Offers receive buffers 0..Count-1 of 2048 bytes each.
  void offerReceiveBuffers(uint16_t Count) {
    for (uint16_t I = 0; I < Count; ++I) {
      descriptor(VirtioNet::ReceiveQueue, I, Buffers + I * 2048ull, 2048, DescWrite);
      offer(VirtioNet::ReceiveQueue, I);
    }
  }

  uint16_t usedIndex(uint16_t Q) { return peek<uint16_t>(used(Q) + 2); }
  /// Used element N of queue Q: {id, length}.
  std::pair<uint32_t, uint32_t> usedElement(uint16_t Q, uint16_t N) {
    uint64_t At = used(Q) + 4 + 8ull * (N % Size[Q]);
    return {peek<uint32_t>(At), peek<uint32_t>(At + 4)};
  }
  /// The virtio header the device wrote into receive buffer Id.
  uk::virtio_net::Header receivedHeader(uint32_t Id) {
    return peek<uk::virtio_net::Header>(Buffers + Id * 2048ull);
  }
  /// The frame the device wrote into receive buffer Id (without the virtio header).
  std::vector<uint8_t> received(uint32_t Id, uint32_t Length) {
    const uint8_t *P = Ram.data() + Buffers + Id * 2048ull + VirtioNet::HeaderSize;
    return {P, P + Length - VirtioNet::HeaderSize};
  }
};

} // namespace ukcxx::testnet
