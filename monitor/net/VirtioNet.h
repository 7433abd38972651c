// VirtioNet: one virtio-net device on the virtio-mmio transport (version 2), as QEMU's
// microvm places it, so that the guest's virtio-net driver runs unchanged on the
// monitor. The vCPU thread reads and writes its registers; the network thread moves
// frames through its queues. A malformed ring sets NEEDS_RESET and stops the device.
// It offers EVENT_IDX and checksum offload both ways: its thread runs natively, the
// guest's kernel perhaps not (where ring 0 is emulated).
#pragma once

#include "uk/abi/virtio_mmio.h"
#include "uk/abi/virtio_net.h"

#include "GuestMemory.h"
#include "Virtqueue.h"

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace ukcxx {

/// Where QEMU's microvm has its virtio-mmio slots; the guest probes them.
constexpr uint64_t VirtioMmioBase = uk::virtio_mmio::SlotBase,
                   VirtioMmioSlotSize = uk::virtio_mmio::SlotSize;
constexpr unsigned VirtioMmioSlots = uk::virtio_mmio::Slots,
                   VirtioMmioFirstGsi = uk::virtio_mmio::FirstGsi;
/// The QueueNotify register's offset in a slot (bound to an ioeventfd by the monitor).
constexpr uint64_t VirtioMmioQueueNotify = 0x050;

using Frame = std::vector<uint8_t>;

class VirtioNet {
public:
  static constexpr uint16_t ReceiveQueue = 0, TransmitQueue = 1;
  static constexpr uint16_t QueueSizeMax = 256;
  static constexpr size_t HeaderSize = sizeof(uk::virtio_net::Header);
  static constexpr uint32_t StatusNeedsReset = 64;
  /// Frames waiting for receive buffers, at most: beyond, frames are dropped, as a
  /// full NIC does (TCP retransmits).
  static constexpr size_t BacklogMax = 512;

  /// Interrupt raises the device's interrupt line (an irqfd write on the monitor).
  /// Notify is called when the driver writes QueueNotify through an MMIO exit rather
  /// than the ioeventfd; the monitor forwards it to the network thread.
  VirtioNet(const GuestMemory &Memory, std::array<uint8_t, 6> Mac,
            std::function<void()> Interrupt, std::function<void(uint16_t)> Notify = {});

  /// A 1-, 2- or 4-byte register read at Offset in the device's slot.
  uint32_t read(uint64_t Offset, unsigned Size);
  /// A register write; writes of other sizes than 4 outside the configuration space
  /// are ignored, as the transport allows.
  void write(uint64_t Offset, uint32_t Value, unsigned Size);

  /// Takes every frame the driver queued for sending (the transmit queue's chains, less
  /// their header, with the checksum the header asks for filled in), returns the
  /// chains, and raises one interrupt for the batch if the driver wants one. A frame
  /// whose header asks for what was not negotiated is dropped, as Linux's tap drops it.
  void transmit(std::vector<Frame> &Out);

  /// Moves frames from Backlog into receive buffers, as many as there are buffers, and
  /// raises one interrupt for the batch if the driver wants one. With checksum offload,
  /// frames whose TCP or UDP checksum is right are marked DATA_VALID.
  void receive(std::deque<Frame> &Backlog);

  /// What the device did so far, for `ukrun --stats`: frames (those whose checksum it
  /// completed, those it marked checked), the interrupts it raised, and the queue kicks
  /// it had (which the network thread counts: they arrive on its eventfds).
  struct Counters {
    uint64_t Sent = 0, Summed = 0, Received = 0, Checked = 0, Dropped = 0;
    uint64_t Interrupts = 0, Kicks = 0;
  };
  Counters counters() const;

  /// Whether the transmit queue holds chains transmit() has not taken yet.
  bool transmitPending() const;

  bool broken() const;
  std::string brokenReason() const;
  uint32_t status() const;
  /// Whether the driver finished set-up (DRIVER_OK) and the device works.
  bool running() const;

private:
  mutable std::mutex Lock;
  const GuestMemory &Memory;
  std::array<uint8_t, 6> Mac;
  std::function<void()> Interrupt;
  std::function<void(uint16_t)> Notify;
  uint32_t Status = 0, InterruptStatus = 0;
  uint32_t DeviceFeaturesSelect = 0, DriverFeaturesSelect = 0;
  uint64_t DriverFeatures = 0;
  uint32_t QueueSelect = 0;
  Virtqueue Queues[2];
  std::string Broken;
  Counters Count;

  void reset();
  void setStatus(uint32_t Value);
  void writeQueueRegister(uint64_t Offset, uint32_t Value);
  void markBroken(const char *Why);
  void raise(uint32_t Bits);
  uint32_t config(uint64_t Offset, unsigned Size) const;
  bool queueLive(uint16_t Index) const;
  bool completeChecksum(const uk::virtio_net::Header &H, Frame &F);
};

} // namespace ukcxx
