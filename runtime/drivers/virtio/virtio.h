// virtio.h: virtio devices over the MMIO transport (version 2, "modern"), with split
// virtqueues: what the device drivers in this folder share.
#pragma once

#include "uk/abi/virtio_mmio.h"
#include "uk/base.h"

namespace uk::virtio {

// Device status bits, and the feature bit every driver here asks for.
constexpr uint32_t Acknowledge = virtio_mmio::StatusAcknowledge,
                   Driver = virtio_mmio::StatusDriver, DriverOk = virtio_mmio::StatusDriverOk,
                   FeaturesOk = virtio_mmio::StatusFeaturesOk;
using virtio_mmio::FeatureEventIdx;
using virtio_mmio::FeatureVersion1;

// Descriptor flags.
constexpr uint16_t DescNext = 1, DescWrite = 2;

struct Descriptor {
  uint64_t address; // guest-physical
  uint32_t length;
  uint16_t flags, next;
};

struct UsedElement {
  uint32_t id, length;
};

/// A split virtqueue: the descriptor table, the driver's ring (avail) and the device's
/// ring (used), each in a page of its own.
struct Queue {
  uint16_t index, size;
  Descriptor *descriptors;
  volatile uint16_t *avail; // flags, idx, ring[size]
  volatile uint16_t *used;  // flags, idx, then UsedElement[size]
  uint64_t descriptors_phys, avail_phys, used_phys;
  uint16_t next_avail; // the driver's avail index
  uint16_t last_used;  // used entries taken so far
  uint16_t notified;   // the avail index at the last notification
  bool event_idx;      // suppression by event indexes (else by the rings' flags)
};

/// Allocates the rings of a queue of Size entries (a power of two, at most 256), zeroed;
/// Features are those the device accepted (for EVENT_IDX).
bool queue_init(Queue &q, uint16_t index, uint16_t size, uint64_t features);

/// Offers descriptor Head to the device (not yet notified).
void queue_offer(Queue &q, uint16_t head);

/// The next used element, if the device has returned one.
bool queue_take(Queue &q, UsedElement &out);

/// True if the device wants a notification for what was offered since the last one.
bool queue_needs_notify(Queue &q);

/// Asks for an interrupt at the next used entry, after the driver took all it saw.
/// True if the device returned more meanwhile: it may have looked for the request
/// before it was made, so the caller takes those too and asks again.
bool queue_arm_interrupt(Queue &q);

/// Asks for no interrupts for this queue (its buffers are taken back when it is used).
void queue_mute_interrupts(Queue &q);

/// One device on the MMIO transport.
struct Device {
  volatile uint32_t *registers;
  unsigned gsi; // its interrupt line
  uint32_t device_id;
};

/// Finds the device of type DeviceId (1: network) in the machine's MMIO slots, from
/// the Skip-th on; false if there is none.
bool find_device(uint32_t device_id, unsigned skip, Device &out);

/// Resets the device and negotiates features: those of Wanted it offers, always
/// including VERSION_1. Returns the accepted set, or 0 if the device refuses.
uint64_t device_begin(Device &d, uint64_t wanted);

/// The size to give queue Index: Wanted, or less if the device's maximum is less
/// (a power of two either way); 0 if the queue does not exist.
uint16_t device_queue_size(Device &d, uint16_t index, uint16_t wanted);

/// Tells the device where queue Q's rings are, and enables it.
bool device_add_queue(Device &d, Queue &q);

/// Says the driver is ready (DRIVER_OK).
void device_ready(Device &d);

/// Notifies the device that queue Q has new buffers.
void device_notify(Device &d, const Queue &q);

/// Reads and acknowledges the interrupt status (bit 0: used buffers, bit 1: config).
uint32_t device_interrupt_status(Device &d);

/// Reads a byte of the device-specific configuration.
uint8_t device_config8(const Device &d, unsigned offset);

} // namespace uk::virtio
