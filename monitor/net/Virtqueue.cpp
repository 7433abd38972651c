// Virtqueue: split virtqueue processing (virtio 1.2, 2.7), every guest value checked.
#include "Virtqueue.h"

#include "uk/abi/virtio_mmio.h"

namespace ukcxx {
namespace {

constexpr uint16_t DescNext = 1, DescWrite = 2, DescIndirect = 4;
constexpr uint16_t AvailNoInterrupt = 1;

struct Descriptor {
  uint64_t Address;
  uint32_t Length;
  uint16_t Flags, Next;
};
static_assert(sizeof(Descriptor) == 16, "virtq_desc is 16 bytes");

uint64_t descriptorBytes(uint16_t Size) { return 16ull * Size; }
uint64_t availBytes(uint16_t Size) { return 4 + 2ull * Size + 2; } // flags idx ring used_event
uint64_t usedBytes(uint16_t Size) { return 4 + 8ull * Size + 2; }  // flags idx ring avail_event

/// A 16-bit ring field, read once: the guest may change it at any moment, so every
/// decision is made on this copy. The areas are checked to be 2-aligned in valid().
uint16_t load16(const GuestMemory &Memory, uint64_t Gpa, bool &Ok) {
  auto *P = reinterpret_cast<uint16_t *>(Memory.at(Gpa, 2));
  Ok = P != nullptr;
  return P ? __atomic_load_n(P, __ATOMIC_ACQUIRE) : 0;
}

bool store16(const GuestMemory &Memory, uint64_t Gpa, uint16_t Value) {
  auto *P = reinterpret_cast<uint16_t *>(Memory.at(Gpa, 2));
  if (P)
    __atomic_store_n(P, Value, __ATOMIC_RELEASE);
  return P != nullptr;
}

// The event indexes after the rings' entries (virtio 1.2, 2.7.6 and 2.7.8).
uint64_t usedEventAt(uint64_t AvailRing, uint16_t Size) { return AvailRing + 4 + 2ull * Size; }
uint64_t availEventAt(uint64_t UsedRing, uint16_t Size) { return UsedRing + 4 + 8ull * Size; }

} // namespace

bool Virtqueue::valid(const GuestMemory &Memory) const {
  if (Size == 0 || Size > MaxSize || (Size & (Size - 1)))
    return false;
  if (DescriptorTable % 16 || AvailRing % 2 || UsedRing % 4)
    return false;
  return Memory.at(DescriptorTable, descriptorBytes(Size)) &&
         Memory.at(AvailRing, availBytes(Size)) && Memory.at(UsedRing, usedBytes(Size));
}

bool Virtqueue::hasAvailable(const GuestMemory &Memory) const {
  bool Ok;
  uint16_t Index = load16(Memory, AvailRing + 2, Ok);
  return Ok && Index != NextAvail;
}

uint16_t Virtqueue::askForKick(const GuestMemory &Memory, bool &Ok) {
  Ok = store16(Memory, availEventAt(UsedRing, Size), NextAvail);
  // The request before the second look, or a chain offered meanwhile would wait for
  // a kick the driver decided against before it saw the request.
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  return Ok ? load16(Memory, AvailRing + 2, Ok) : 0;
}

Virtqueue::Take Virtqueue::take(const GuestMemory &Memory, Chain &Out, const char *&Why) {
  bool Ok;
  uint16_t AvailIndex = load16(Memory, AvailRing + 2, Ok);
  if (Ok && AvailIndex == NextAvail && EventIdx)
    AvailIndex = askForKick(Memory, Ok);
  if (!Ok) {
    Why = "the avail ring is outside guest memory";
    return Take::Broken;
  }
  if (AvailIndex == NextAvail)
    return Take::Empty;
  // Free-running 16-bit indexes: the driver can be at most Size entries ahead.
  if (uint16_t(AvailIndex - NextAvail) > Size) {
    Why = "the avail index ran more than the queue size ahead";
    return Take::Broken;
  }
  uint16_t Head = load16(Memory, AvailRing + 4 + 2ull * (NextAvail % Size), Ok);
  if (!Ok || Head >= Size) {
    Why = "an avail ring entry names a descriptor beyond the table";
    return Take::Broken;
  }
  Out.Head = Head;
  Out.Segments.clear();
  Out.ReadableBytes = Out.WritableBytes = 0;
  uint16_t Index = Head;
  for (unsigned Count = 0;; ++Count) {
    // A chain visits each descriptor at most once, so more than Size links is a loop.
    if (Count == Size) {
      Why = "a descriptor chain is longer than the queue (a loop)";
      return Take::Broken;
    }
    Descriptor D;
    if (!Memory.read(DescriptorTable + 16ull * Index, D)) {
      Why = "the descriptor table is outside guest memory";
      return Take::Broken;
    }
    if (D.Flags & DescIndirect) {
      Why = "an indirect descriptor, which was not negotiated";
      return Take::Broken;
    }
    bool Writable = D.Flags & DescWrite;
    if (!Writable && Out.WritableBytes) {
      Why = "a device-readable buffer follows a device-writable one";
      return Take::Broken;
    }
    uint8_t *Data = Memory.at(D.Address, D.Length);
    if (!Data) {
      Why = "a descriptor's buffer lies outside guest memory";
      return Take::Broken;
    }
    (Writable ? Out.WritableBytes : Out.ReadableBytes) += D.Length;
    if (Out.ReadableBytes + Out.WritableBytes > MaxChainBytes) {
      Why = "a descriptor chain describes more bytes than any frame needs";
      return Take::Broken;
    }
    if (D.Length)
      Out.Segments.push_back({Data, D.Length, Writable});
    if (!(D.Flags & DescNext))
      break;
    if (D.Next >= Size) {
      Why = "a descriptor's next index is beyond the table";
      return Take::Broken;
    }
    Index = D.Next;
  }
  ++NextAvail;
  return Take::Chain;
}

bool Virtqueue::put(const GuestMemory &Memory, uint16_t Head, uint32_t Length) {
  struct {
    uint32_t Id, Length;
  } Element = {Head, Length};
  if (!Memory.write(UsedRing + 4 + 8ull * (NextUsed % Size), Element))
    return false;
  auto *Index = reinterpret_cast<uint16_t *>(Memory.at(UsedRing + 2, 2));
  if (!Index)
    return false;
  // The element before the index that publishes it.
  __atomic_store_n(Index, ++NextUsed, __ATOMIC_RELEASE);
  return true;
}

bool Virtqueue::interruptWanted(const GuestMemory &Memory) {
  uint16_t Old = UsedAtLastInterruptCheck;
  if (Old == NextUsed)
    return false;
  UsedAtLastInterruptCheck = NextUsed;
  // The used index must be visible before the driver's wishes are read, or a driver
  // that just asked for an interrupt and found nothing new would wait forever.
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  bool Ok;
  if (EventIdx) {
    uint16_t Event = load16(Memory, usedEventAt(AvailRing, Size), Ok);
    return Ok && uk::virtio_mmio::event_passed(Event, NextUsed, Old);
  }
  uint16_t Flags = load16(Memory, AvailRing, Ok);
  return Ok && !(Flags & AvailNoInterrupt);
}

} // namespace ukcxx
