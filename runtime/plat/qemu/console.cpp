// console.cpp: QEMU consoles: the 8250 serial port for the program's standard
// output, the debugcon port for standard error and kernel messages.
//
// Each write is one `rep outsb`: under KVM the whole buffer reaches QEMU in a single
// exit; under TCG the string instruction is one helper call.
#include "qemu.h"

#include "uk/cpu.h"

namespace uk {
namespace {

constexpr uint16_t Com1 = 0x3f8;
constexpr uint16_t Debugcon = 0xe9;
bool have_debugcon;

} // namespace

void qemu_console_init() {
  // QEMU's debugcon reads back its own port number; nothing else at 0xe9 does.
  have_debugcon = inb(Debugcon) == Debugcon;
}

void qemu_console_write(Stream stream, const char *data, size_t len) {
  uint16_t port = stream == Stream::Err && have_debugcon ? Debugcon : Com1;
  outsb(port, data, len);
}

long qemu_console_read(char *data, size_t len) {
  // The serial port has no end of input, so a program would wait forever for it.
  return 0;
}

} // namespace uk
