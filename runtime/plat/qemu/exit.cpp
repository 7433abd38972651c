// exit.cpp: ending a QEMU guest: the status to ukrun's status port, then
// isa-debug-exit, which makes QEMU quit.
#include "qemu.h"

#include "uk/cpu.h"
#include "uk/print.h"
#include "uk/volume.h"

namespace uk {
namespace {

constexpr uint16_t StatusPort = 0x402; // an isa-debugcon ukrun attaches to a pipe
constexpr uint16_t DebugExitPort = 0xf4;

[[noreturn]] void qemu_exit(ExitKind kind, int status) {
  outb(StatusPort, uint8_t(kind));
  outb(StatusPort, uint8_t(status));
  outl(DebugExitPort, 0);
  // Still running: QEMU was started without isa-debug-exit (not by ukrun).
  print("ukc++: the program ended with status %d; halting\n", status);
  asm volatile("cli");
  for (;;)
    halt();
}

} // namespace

const Platform qemu_platform = {
    "qemu",      qemu_console_write, qemu_console_read, qemu_exit,
    qemu_tsc_hz, qemu_wall_clock_ns, virtio_volume_tag, virtio_volume_transact,
    false,
};

} // namespace uk
