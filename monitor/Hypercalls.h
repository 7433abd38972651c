// Hypercalls: the monitor's handlers for the guest's calls (uk/abi/kvm.h), written
// against GuestMemory, a Console and the volumes so that tests and the fuzzer drive
// them directly.
#pragma once

#include "GuestMemory.h"

#include <cstdint>
#include <string>
#include <sys/types.h>

namespace ukcxx {

class VolumeSet;

/// Where console transfers go: the monitor's stdin/stdout/stderr in ukrun.
class Console {
public:
  virtual ~Console() = default;
  /// Writes the buffers to Stream (1 or 2); returns bytes written or -errno.
  virtual ssize_t write(int Stream, const iovec *Buffers, int Count) = 0;
  /// Reads into the buffers from standard input; bytes read, 0 at end, or -errno.
  virtual ssize_t read(const iovec *Buffers, int Count) = 0;
};

struct HypercallOutcome {
  enum { Continue, Exit, Fault } Kind = Continue;
  uint32_t ExitKind = 0; // with Exit: 0 exited, 1 killed by a signal, 2 kernel panic
  uint32_t Status = 0;
  uint64_t Syscalls = 0; // with Exit: system calls the program made
  std::string Error;     // with Fault: what the guest did wrong
};

/// Handles an OUT of Value (the argument struct's guest-physical address) to Port.
/// A malformed call is a Fault: the monitor ends the guest with its message. Volumes
/// (none if null) serve the volume hypercalls.
HypercallOutcome handleHypercall(uint16_t Port, uint32_t Value, const GuestMemory &Memory,
                                 Console &Out, const VolumeSet *Volumes = nullptr);

} // namespace ukcxx
