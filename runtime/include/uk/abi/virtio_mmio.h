/* The virtio-mmio transport (version 2, "modern") as the guest's drivers
 * (runtime/drivers/virtio) and the built-in monitor's device model (monitor/net) share
 * it: where the slots are (QEMU microvm's layout, which the monitor copies), the
 * register offsets, the status and feature bits. C++ only. */
#pragma once

#include <stdint.h>

namespace uk::virtio_mmio {

/* Slots of 0x200 bytes from 0xfeb00000; slot I raises interrupt line 5 + I (no ACPI). */
constexpr uint64_t SlotBase = 0xfeb00000, SlotSize = 0x200;
constexpr unsigned Slots = 24, FirstGsi = 5;

constexpr uint32_t Magic = 0x74726976; /* "virt" */

enum Register : uint32_t {
  MagicValue = 0x000,
  Version = 0x004,
  DeviceId = 0x008,
  VendorId = 0x00c,
  DeviceFeatures = 0x010,
  DeviceFeaturesSel = 0x014,
  DriverFeatures = 0x020,
  DriverFeaturesSel = 0x024,
  QueueSel = 0x030,
  QueueNumMax = 0x034,
  QueueNum = 0x038,
  QueueReady = 0x044,
  QueueNotify = 0x050,
  InterruptStatus = 0x060,
  InterruptAck = 0x064,
  Status = 0x070,
  QueueDescLow = 0x080,
  QueueDescHigh = 0x084,
  QueueDriverLow = 0x090,
  QueueDriverHigh = 0x094,
  QueueDeviceLow = 0x0a0,
  QueueDeviceHigh = 0x0a4,
  ConfigGeneration = 0x0fc,
  Config = 0x100,
};

/* Device status bits. */
constexpr uint32_t StatusAcknowledge = 1, StatusDriver = 2, StatusDriverOk = 4,
                   StatusFeaturesOk = 8, StatusNeedsReset = 64;
/* InterruptStatus bits: used buffers, a configuration change. */
constexpr uint32_t InterruptUsed = 1, InterruptConfig = 2;
/* The feature bit of virtio 1.0 devices (and of every driver here), and the split
 * rings' event indexes: the driver says after which used entry it wants an interrupt,
 * the device after which avail entry it wants a kick (virtio 1.2, 2.7.10). */
constexpr uint64_t FeatureVersion1 = 1ull << 32, FeatureEventIdx = 1ull << 29;

/* Whether moving an index from Old to New passed Event: the test both sides make
 * before a kick or an interrupt (virtio 1.2, 2.7.10). */
constexpr bool event_passed(uint16_t event, uint16_t new_index, uint16_t old) {
  return uint16_t(new_index - event - 1) < uint16_t(new_index - old);
}

} // namespace uk::virtio_mmio
