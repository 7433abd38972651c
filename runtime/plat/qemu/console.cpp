// console.cpp: QEMU consoles: the 8250 serial port COM1 for the program's standard
// output, the debugcon port for standard error and kernel messages, and COM2 for
// standard input.
//
// Each write is one `rep outsb`: under KVM the whole buffer reaches QEMU in a single
// exit; under TCG the string instruction is one helper call.
//
// A serial line has no end of input and delivers nothing unasked for, so standard
// input is a conversation with ukrun over COM2 (docs/runtime.md): the kernel sends
// the size a read() wants (2 bytes, little-endian); ukrun does one read() of its own
// standard input and answers with a 2-byte header, the byte count (0 at the end of
// input) or 0x8000|errno, then the bytes. Host input is consumed only as the program
// asks for it, with the semantics of one read(), as on the monitor.
//
// The answer never contains a zero byte (ukrun escapes 0 as 1,1 and 1 as 1,2), because
// QEMU's UART reads an empty FIFO as 0: one `rep insb` then takes the whole FIFO in
// one exit, with no status read per byte, and the zeros it brings are simply gaps.
#include "qemu.h"

#include "uk/cpu.h"
#include "uk/sched.h"
#include "uk/time.h"

#include <asm-generic/errno-base.h>

namespace uk {
namespace {

constexpr uint16_t Com1 = 0x3f8;
constexpr uint16_t Com2 = 0x2f8;
constexpr uint16_t Debugcon = 0xe9;
constexpr uint16_t UartData = 0, UartFifoControl = 2, UartLineStatus = 5;
constexpr size_t UartFifo = 16;
constexpr size_t MaxRequest = 4096; // ukrun answers at most this much per request
constexpr uint8_t Escape = 1;

bool have_debugcon;
enum class Input : uint8_t { Unknown, Absent, Present } input;
bool input_busy; // a read is in progress (it may block, and another thread read)

/// The bytes of ukrun's answer, as they come out of the FIFO.
struct InputStream {
  uint8_t fifo[UartFifo];
  size_t at = 0, end = 0;

  uint8_t raw() {
    while (at == end)
      refill();
    return fifo[at++];
  }

  /// One byte of the answer, unescaped.
  uint8_t next() {
    uint8_t b = raw();
    return b == Escape ? uint8_t(raw() - 1) : b;
  }

  /// Drains the FIFO. Data comes from QEMU's main loop, another host thread: poll for a
  /// while before sleeping for a millisecond, as each poll is an exit under KVM.
  void refill() {
    uint64_t spin_until = rdtsc() + tsc_hz() / 1000;
    for (;;) {
      insb(Com2 + UartData, fifo, UartFifo);
      at = end = 0;
      for (uint8_t b : fifo)
        if (b)
          fifo[end++] = b;
      if (end)
        return;
      if (rdtsc() > spin_until)
        block("console input", rdtsc() + tsc_hz() / 1000, false); // ukrun will answer
    }
  }
} stream;

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
  if (input == Input::Unknown) {
    // An absent port reads as all ones. Found out at the first read, not at boot:
    // most programs never read.
    input = inb(Com2 + UartLineStatus) == 0xff ? Input::Absent : Input::Present;
    if (input == Input::Present)
      outb(Com2 + UartFifoControl, 0xc7); // FIFO on, trigger level 14: QEMU hands
                                          // over 14 bytes at a time, not 1
  }
  if (input == Input::Absent || len == 0)
    return 0; // booted without ukrun (plain `qemu -kernel`): no standard input
  while (input_busy)
    block("console input (another reader)", rdtsc() + tsc_hz() / 1000, false);
  input_busy = true;
  size_t want = len < MaxRequest ? len : MaxRequest;
  uint8_t request[2] = {uint8_t(want), uint8_t(want >> 8)};
  outsb(Com2 + UartData, request, sizeof request);
  uint16_t header = stream.next();
  header |= uint16_t(stream.next()) << 8;
  long result;
  if (header & 0x8000) {
    result = -long(header & 0x7fff);
  } else if (header > want) {
    result = -EIO; // not what was asked: the conversation is out of step
  } else {
    for (size_t i = 0; i < header; ++i)
      data[i] = char(stream.next());
    result = header;
  }
  input_busy = false;
  return result;
}

} // namespace uk
