// Host: facts about the machine ukrun runs on that choose how a guest is run.
#pragma once

#include <cstdint>
#include <string>

namespace ukcxx {

/// True if /dev/kvm can be opened for a VM.
bool kvmUsable();

/// True if KVM uses the CPU's virtualization extensions (kvm_intel or kvm_amd), as
/// opposed to a software implementation (kvm_pvm) where ring 0 is emulated.
bool kvmHardwareAssisted();

/// The host TSC frequency in Hz: the kernel's perf clock parameters if they are the
/// TSC's, else measured against CLOCK_MONOTONIC_RAW once per host boot and cached;
/// 0 if unknown. Under TCG the guest's TSC is the host's.
uint64_t hostTscHz();

/// Where ukrun keeps what it measured about this machine.
std::string cacheDir();

/// Creates Path and its parents; false if it cannot.
bool makeDirs(const std::string &Path);

} // namespace ukcxx
