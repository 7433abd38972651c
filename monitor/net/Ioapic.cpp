// Ioapic: IOREGSEL/IOWIN, the version register, and redirection entries as MSI routes.
#include "Ioapic.h"

namespace ukcxx {
namespace {

constexpr uint64_t Masked = 1ull << 16;
constexpr uint32_t RegisterSelect = 0x00, Window = 0x10;
constexpr uint32_t IdRegister = 0, VersionRegister = 1, ArbitrationRegister = 2,
                   RedirectionBase = 0x10;

} // namespace

uint64_t Ioapic::entry(unsigned Line) const {
  // Every line starts masked, as after a reset.
  return Initialized ? Redirection[Line] : Masked;
}

uint32_t Ioapic::read(uint64_t Offset, unsigned Size) const {
  if (Size != 4)
    return 0;
  if (Offset == RegisterSelect)
    return Select;
  if (Offset != Window)
    return 0;
  if (Select == VersionRegister)
    return (Lines - 1) << 16 | 0x11; // maximum redirection entry, version 0x11
  if (Select == IdRegister || Select == ArbitrationRegister)
    return 0;
  if (Select >= RedirectionBase && Select < RedirectionBase + 2 * Lines) {
    uint64_t E = entry((Select - RedirectionBase) / 2);
    return Select % 2 ? uint32_t(E >> 32) : uint32_t(E);
  }
  return 0;
}

void Ioapic::write(uint64_t Offset, uint32_t Value, unsigned Size) {
  if (Size != 4)
    return;
  if (Offset == RegisterSelect) {
    Select = Value & 0xff;
    return;
  }
  if (Offset != Window || Select < RedirectionBase || Select >= RedirectionBase + 2 * Lines)
    return;
  if (!Initialized) {
    for (uint64_t &E : Redirection)
      E = Masked;
    Initialized = true;
  }
  unsigned Line = (Select - RedirectionBase) / 2;
  uint64_t &E = Redirection[Line];
  E = Select % 2 ? (E & 0xffffffffull) | uint64_t(Value) << 32 : (E & ~0xffffffffull) | Value;
  MsiRoute Routes[Lines];
  unsigned Count = 0;
  for (unsigned L = 0; L < Lines; ++L) {
    uint64_t R = Redirection[L];
    uint8_t Vector = uint8_t(R);
    // Masked lines, and vectors below 16 (reserved for exceptions), get no route.
    if ((R & Masked) || Vector < 16)
      continue;
    uint32_t Destination = uint32_t(R >> 56);
    uint32_t DeliveryMode = uint32_t(R >> 8) & 7;
    bool Logical = R & (1u << 11);
    Routes[Count++] = {L, 0xfee00000u | Destination << 12 | uint32_t(Logical) << 2,
                       Vector | DeliveryMode << 8};
  }
  if (RoutesChanged)
    RoutesChanged(Routes, Count);
}

} // namespace ukcxx
