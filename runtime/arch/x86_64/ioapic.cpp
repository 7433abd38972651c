// ioapic.cpp: device interrupt lines through the I/O APIC, each to a vector of its
// own (DeviceVectorBase + GSI) on this CPU's local APIC.
#include "uk/irq.h"
#include "uk/paging.h"

namespace uk {
namespace {

constexpr uint64_t IoApicBase = 0xfec00000; // where PC-compatible machines have it
constexpr unsigned DeviceVectorBase = 0x40, MaxLines = 24;
constexpr unsigned Redirection = 0x10; // two registers per line: low, high

volatile uint32_t *registers;

void write_register(unsigned index, uint32_t value) {
  registers[0] = index; // IOREGSEL
  registers[4] = value; // IOWIN, at +0x10
}

} // namespace

void route_irq(unsigned gsi, IrqHandler handler) {
  VERIFY(gsi < MaxLines);
  if (!registers)
    registers = static_cast<volatile uint32_t *>(map_device(IoApicBase));
  unsigned vector = DeviceVectorBase + gsi;
  set_irq_handler(vector, handler);
  uint32_t destination = lapic_id();
  write_register(Redirection + 2 * gsi + 1, destination << 24);
  // Fixed delivery, physical destination, active high, edge-triggered, unmasked.
  write_register(Redirection + 2 * gsi, vector);
}

} // namespace uk
