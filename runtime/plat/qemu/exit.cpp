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
    .name = "qemu",
    .console_write = qemu_console_write,
    .console_read = qemu_console_read,
    .exit = qemu_exit,
    .tsc_hz = qemu_tsc_hz,
    .wall_clock_ns = qemu_wall_clock_ns,
    .volume_tag = virtio_volume_tag,
    .volume_transact = virtio_volume_transact,
    .device_interrupts_are_messages = false,
    .device_sees_guest_fences = false,
};

} // namespace uk
