// InputRelay: ukrun's standard input, served to a QEMU guest one read() at a time.
#pragma once

#include "Child.h"

#include <cstdint>
#include <string>

namespace ukcxx {

/// The host end of the guest's COM2 (a socket): the guest asks for up to N bytes
/// (2 bytes, little-endian); the relay does one read() of standard input and answers
/// with a 2-byte header, the byte count (0 at end of input) or 0x8000|errno, then the
/// bytes, all with 0 escaped as 1,1 and 1 as 1,2. Standard input is read only when the
/// guest asks, as on the monitor.
class InputRelay : public Relay {
public:
  explicit InputRelay(int Socket) : Socket(Socket) {}
  int fd() const override { return Wanted ? 0 : Socket; }
  bool pump() override;
  bool drainsAfterExit() const override { return false; }

  static constexpr size_t MaxRequest = 4096;
  static constexpr unsigned char Escape = 1;

private:
  int Socket;
  std::string Request; // bytes of a request not complete yet
  size_t Wanted = 0;   // a complete request waiting for standard input

  bool answer();
};

} // namespace ukcxx
