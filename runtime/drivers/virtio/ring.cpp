// ring.cpp: split virtqueues: the driver offers descriptor chains in the avail ring,
// the device returns them in the used ring. Memory barriers follow the virtio spec:
// the ring entry before the index, the index before the check for notification.
#include "virtio.h"

#include "uk/memory.h"
#include "uk/paging.h"

namespace uk::virtio {
namespace {

constexpr uint16_t UsedNoNotify = 1; // used ring flags: the device needs no kick

void *page(uint64_t &phys) {
  phys = frame_alloc();
  return phys ? phys_to_virt(phys) : nullptr;
}

void store_fence() { asm volatile("" ::: "memory"); } // x86 keeps stores in order
void full_fence() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

} // namespace

bool queue_init(Queue &q, uint16_t index, uint16_t size) {
  VERIFY(size && size <= 256 && !(size & (size - 1)));
  q.index = index;
  q.size = size;
  q.descriptors = static_cast<Descriptor *>(page(q.descriptors_phys));
  q.avail = static_cast<volatile uint16_t *>(page(q.avail_phys));
  q.used = static_cast<volatile uint16_t *>(page(q.used_phys));
  q.next_avail = q.last_used = q.notified = 0;
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
  full_fence(); // our avail index must be visible before we read the device's flags
  q.notified = q.next_avail;
  return !(q.used[0] & UsedNoNotify);
}

} // namespace uk::virtio
