// ring.cpp: split virtqueues: the driver offers descriptor chains in the avail ring,
// the device returns them in the used ring. Memory barriers follow the virtio spec:
// the ring entry before the index, the index before the check for notification.
// With EVENT_IDX each side says at which index it wants to hear from the other, so a
// burst costs one kick and one interrupt however the two sides' work interleaves.
#include "virtio.h"

#include "uk/memory.h"
#include "uk/paging.h"

namespace uk::virtio {
namespace {

constexpr uint16_t UsedNoNotify = 1;     // used ring flags: the device needs no kick
constexpr uint16_t AvailNoInterrupt = 1; // avail ring flags: the driver needs no interrupt

void *page(uint64_t &phys) {
  phys = frame_alloc();
  if (!phys)
    return nullptr;
  memset(phys_to_virt(phys), 0, PageSize);
  return phys_to_virt(phys);
}

// The event indexes sit after each ring: used_event after the avail ring's entries,
// avail_event after the used ring's (of 4 16-bit words each).
volatile uint16_t &used_event(Queue &q) { return q.avail[2 + q.size]; }
uint16_t avail_event(const Queue &q) { return q.used[2 + 4 * q.size]; }

void store_fence() { asm volatile("" ::: "memory"); } // x86 keeps stores in order
void full_fence() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

} // namespace

bool queue_init(Queue &q, uint16_t index, uint16_t size, uint64_t features) {
  VERIFY(size && size <= 256 && !(size & (size - 1)));
  q.index = index;
  q.size = size;
  q.descriptors = static_cast<Descriptor *>(page(q.descriptors_phys));
  q.avail = static_cast<volatile uint16_t *>(page(q.avail_phys));
  q.used = static_cast<volatile uint16_t *>(page(q.used_phys));
  q.next_avail = q.last_used = q.notified = 0;
  q.event_idx = features & FeatureEventIdx;
  return q.descriptors && q.avail && q.used;
}

void queue_offer(Queue &q, uint16_t head) {
  q.avail[2 + q.next_avail % q.size] = head;
  store_fence();
  q.avail[1] = ++q.next_avail;
}

bool queue_take(Queue &q, UsedElement &out) {
  if (q.used[1] == q.last_used)
    return false;
  asm volatile("" ::: "memory"); // the index before the element it covers
  auto *ring = reinterpret_cast<volatile UsedElement *>(q.used + 2);
  out.id = ring[q.last_used % q.size].id;
  out.length = ring[q.last_used % q.size].length;
  ++q.last_used;
  return true;
}

bool queue_needs_notify(Queue &q) {
  if (q.notified == q.next_avail)
    return false;
  full_fence(); // our avail index must be visible before we read the device's wishes
  uint16_t old = q.notified;
  q.notified = q.next_avail;
  if (q.event_idx)
    return virtio_mmio::event_passed(avail_event(q), q.next_avail, old);
  return !(q.used[0] & UsedNoNotify);
}

bool queue_arm_interrupt(Queue &q) {
  if (q.event_idx) {
    used_event(q) = q.last_used;
    full_fence(); // the request before the look at the used index
  }
  return q.used[1] != q.last_used;
}

void queue_mute_interrupts(Queue &q) {
  // With event indexes the device interrupts only when its used index passes
  // used_event; one behind the driver's, it gets there after 65,535 more entries: one
  // interrupt per 65,536 buffers, handled like any other.
  if (q.event_idx)
    used_event(q) = uint16_t(q.last_used - 1);
  else
    q.avail[0] = AvailNoInterrupt;
}

} // namespace uk::virtio
