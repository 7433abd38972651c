// Ioapic: the I/O APIC's registers, emulated by the monitor. With KVM's split irqchip
// the local APIC is in the kernel and the I/O APIC is the monitor's to provide; the
// guest programs a line's redirection entry once, and the monitor turns it into an
// MSI route so that an irqfd on that line reaches the local APIC without an exit.
#pragma once

#include <cstdint>
#include <functional>

namespace ukcxx {

/// Where PC-compatible machines (and the guest's route_irq) have the I/O APIC.
constexpr uint64_t IoApicBase = 0xfec00000, IoApicSize = 0x20;

/// The MSI message a redirection entry amounts to (Intel SDM 10.11: address
/// 0xfee00000 | destination << 12, data = vector | delivery mode << 8).
struct MsiRoute {
  unsigned Gsi;
  uint32_t AddressLow, Data;
};

class Ioapic {
public:
  static constexpr unsigned Lines = 24;

  /// RoutesChanged is called after the guest changed a redirection entry, with the
  /// routes of all unmasked lines.
  explicit Ioapic(std::function<void(const MsiRoute *, unsigned)> RoutesChanged)
      : RoutesChanged(std::move(RoutesChanged)) {}

  uint32_t read(uint64_t Offset, unsigned Size) const;
  void write(uint64_t Offset, uint32_t Value, unsigned Size);

private:
  std::function<void(const MsiRoute *, unsigned)> RoutesChanged;
  uint32_t Select = 0;
  uint64_t Redirection[Lines] = {};
  bool Initialized = false;

  uint64_t entry(unsigned Line) const;
};

} // namespace ukcxx
