// mmio.cpp: the virtio MMIO transport as QEMU's microvm machine has it: slots of 0x200
// bytes from 0xfeb00000, slot I on interrupt line 5 + I (without ACPI). Devices are
// found by probing the slots, never from the command line.
#include "virtio.h"

#include "uk/abi/virtio_mmio.h"
#include "uk/paging.h"

namespace uk::virtio {
namespace {

using namespace virtio_mmio;

uint32_t read(const Device &d, Register r) { return d.registers[r / 4]; }
void write(Device &d, Register r, uint32_t value) { d.registers[r / 4] = value; }

volatile uint32_t *slot_registers(unsigned slot) {
  // Eight slots share a page; each page is mapped once.
  static volatile uint8_t *pages[Slots * SlotSize / PageSize];
  uint64_t phys = SlotBase + slot * SlotSize;
  unsigned n = unsigned((phys - SlotBase) / PageSize);
  if (!pages[n])
    pages[n] = static_cast<volatile uint8_t *>(map_device(align_down(phys, PageSize)));
  return reinterpret_cast<volatile uint32_t *>(pages[n] + phys % PageSize);
}

} // namespace

bool find_device(uint32_t device_id, unsigned skip, Device &out) {
  for (unsigned slot = 0; slot < Slots; ++slot) {
    Device d = {slot_registers(slot), FirstGsi + slot, 0};
    // Version 1 is the legacy interface, which these drivers do not speak.
    if (read(d, MagicValue) != Magic || read(d, Version) != 2)
      continue;
    d.device_id = read(d, DeviceId);
    if (d.device_id != device_id || skip-- > 0)
      continue;
    out = d;
    return true;
  }
  return false;
}

uint64_t device_begin(Device &d, uint64_t wanted) {
  write(d, Status, 0); // reset
  write(d, Status, Acknowledge);
  write(d, Status, Acknowledge | Driver);
  uint64_t offered = 0;
  for (uint32_t word = 0; word < 2; ++word) {
    write(d, DeviceFeaturesSel, word);
    offered |= uint64_t(read(d, DeviceFeatures)) << (32 * word);
  }
  uint64_t accepted = offered & (wanted | FeatureVersion1);
  if (!(accepted & FeatureVersion1))
    return 0;
  for (uint32_t word = 0; word < 2; ++word) {
    write(d, DriverFeaturesSel, word);
    write(d, DriverFeatures, uint32_t(accepted >> (32 * word)));
  }
  write(d, Status, Acknowledge | Driver | FeaturesOk);
  return read(d, Status) & FeaturesOk ? accepted : 0;
}

uint16_t device_queue_size(Device &d, uint16_t index, uint16_t wanted) {
  write(d, QueueSel, index);
  uint32_t most = read(d, QueueNumMax);
  uint16_t size = wanted;
  while (size > most)
    size /= 2;
  return size;
}

bool device_add_queue(Device &d, Queue &q) {
  write(d, QueueSel, q.index);
  if (read(d, QueueReady) || read(d, QueueNumMax) < q.size)
    return false;
  write(d, QueueNum, q.size);
  write(d, QueueDescLow, uint32_t(q.descriptors_phys));
  write(d, QueueDescHigh, uint32_t(q.descriptors_phys >> 32));
  write(d, QueueDriverLow, uint32_t(q.avail_phys));
  write(d, QueueDriverHigh, uint32_t(q.avail_phys >> 32));
  write(d, QueueDeviceLow, uint32_t(q.used_phys));
  write(d, QueueDeviceHigh, uint32_t(q.used_phys >> 32));
  write(d, QueueReady, 1);
  return true;
}

void device_ready(Device &d) { write(d, Status, Acknowledge | Driver | FeaturesOk | DriverOk); }

void device_notify(Device &d, const Queue &q) { write(d, QueueNotify, q.index); }

uint32_t device_interrupt_status(Device &d) {
  uint32_t status = read(d, InterruptStatus);
  if (status)
    write(d, InterruptAck, status);
  return status;
}

uint8_t device_config8(const Device &d, unsigned offset) {
  auto *bytes = reinterpret_cast<volatile uint8_t *>(d.registers);
  return bytes[Config + offset];
}

} // namespace uk::virtio
