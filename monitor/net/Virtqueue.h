// Virtqueue: the device side of a split virtqueue in guest memory, where every index,
// address and length the guest wrote is hostile.
#pragma once

#include "GuestMemory.h"

#include <cstdint>
#include <vector>

namespace ukcxx {

/// One guest buffer of a descriptor chain, already checked to lie in guest memory.
struct ChainSegment {
  uint8_t *Data;
  uint32_t Length;
  bool Writable; // the device writes it (VIRTQ_DESC_F_WRITE)
};

/// A descriptor chain taken from the avail ring, to be returned by its head.
struct Chain {
  uint16_t Head = 0;
  std::vector<ChainSegment> Segments;
  uint64_t ReadableBytes = 0, WritableBytes = 0;
};

class Virtqueue {
public:
  static constexpr uint16_t MaxSize = 256;
  /// Upper bound of the bytes one chain may describe: a frame and its header are far
  /// less, and a larger chain is a guest trying to make the monitor copy gigabytes.
  static constexpr uint64_t MaxChainBytes = 1 << 17;

  // The registers the driver sets while the queue is not ready.
  uint16_t Size = 0;
  uint64_t DescriptorTable = 0, AvailRing = 0, UsedRing = 0;
  bool Ready = false;
  /// Suppression by event indexes (VIRTIO_F_EVENT_IDX) rather than the rings' flags.
  bool EventIdx = false;

  enum class Take { Chain, Empty, Broken };

  /// Checks the configuration when the driver sets QueueReady: a power-of-two size up
  /// to MaxSize, and the three areas aligned and wholly inside guest memory.
  bool valid(const GuestMemory &Memory) const;

  /// Takes the next available chain into Out. Empty once the driver has offered no
  /// more; with event indexes the driver is then asked to kick at its next chain (and
  /// not before: kicks while the device is still taking are wasted). Broken (with Why
  /// set) if the avail index
  /// ran more than Size ahead, the head or a next index is out of range, the chain is
  /// longer than Size (a loop), a buffer lies outside guest memory, a readable buffer
  /// follows a writable one, indirect descriptors appear, or the chain is too large.
  Take take(const GuestMemory &Memory, Chain &Out, const char *&Why);

  /// Puts the chain with Head in the used ring with Length bytes written. False if the
  /// ring is not in guest memory.
  bool put(const GuestMemory &Memory, uint16_t Head, uint32_t Length);

  /// After a batch of put()s: whether the driver wants an interrupt for it (the used
  /// index passed the driver's used_event, or without event indexes the avail ring's
  /// NO_INTERRUPT flag is clear). False if nothing was put since the last call.
  bool interruptWanted(const GuestMemory &Memory);

  /// Whether the driver has chains the device has not taken.
  bool hasAvailable(const GuestMemory &Memory) const;

  void reset() { *this = Virtqueue(); }

private:
  uint16_t NextAvail = 0; // the avail ring's next entry to take
  uint16_t NextUsed = 0;  // the used ring's index the device publishes
  uint16_t UsedAtLastInterruptCheck = 0;

  /// With event indexes: asks for a kick at the next chain; the avail index read
  /// after the request (which the driver may have moved before it saw it).
  uint16_t askForKick(const GuestMemory &Memory, bool &Ok);
};

} // namespace ukcxx
