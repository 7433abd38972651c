// Monitor: ukrun's built-in KVM monitor. Boots an image on /dev/kvm directly, with
// every piece of CPU state set before the first instruction, and serves its
// hypercalls until it exits.
#pragma once

#include "Hypercalls.h"
#include "ImageFile.h"
#include "NetworkAttachment.h"
#include "VolumeSet.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ukcxx {

struct MonitorOptions {
  const ImageFile *Image = nullptr;
  uint64_t Memory = 0; // bytes
  std::string Cmdline; // "[uk.OPTION ...] -- ARGS"
  double Timeout = 0;  // seconds; 0: none
  bool Sandbox = true; // confine the process with seccomp once the VM is set up
  bool Verbose = false;
  std::vector<VolumeSpec> Volumes;       // host folders served by hypercall (uk_hc_volume)
  uint64_t CrashBeforeMutation = 0;      // test hook: die before this mutating host operation
  std::optional<MonitorNetwork> Network; // a virtio-net device on the user network or a tap
};

struct MonitorResult {
  enum { Exited, TimedOut, Failed } Kind = Failed;
  uint32_t ExitKind = 0; // with Exited: 0 exit, 1 signal, 2 kernel panic
  uint32_t Status = 0;
  std::string Error; // with Failed
  // With TimedOut, and Failed once the guest ran: where the vCPU stopped, and whether
  // in the program (ring 3).
  uint64_t StoppedRip = 0;
  bool StoppedInProgram = false;
  // The vCPU was found in its reset state (real mode), so where it stopped is lost: KVM
  // on AMD resets it after a triple fault, as the VMCB is undefined then.
  bool StoppedAfterReset = false;
  // What the run cost: host time to set the VM up, guest time to its end, exits to the
  // monitor, and system calls the program made (as the guest reports them at exit).
  double SetupSeconds = 0, GuestSeconds = 0;
  uint64_t Exits = 0, Syscalls = 0;
  uint64_t MonitorKiB = 0; // peak resident memory of the process beyond guest memory
  // With a network device: what it did (frames, checksums, kicks, interrupts).
  std::optional<VirtioNet::Counters> Network;
};

/// Runs the guest to its end. Set-up errors (no /dev/kvm, a bad image) throw Error;
/// what goes wrong once the guest runs is a Failed result with a message.
MonitorResult runMonitor(const MonitorOptions &Options, Console &Out);

} // namespace ukcxx
