// Sandbox: once the VM is set up, the monitor confines itself to the few system calls
// its run loop makes (libseccomp); anything else ends it with a message.
#pragma once

#include <string>

namespace ukcxx {

class VolumeSet;

/// Installs the allow-list for the run loop on vCPU descriptor VcpuFd, grown by the
/// calls serving Volumes makes when there are any (and no more), after confining this
/// thread's file access to the volumes' folders with Landlock where the kernel has it.
/// Returns a line for ukrun -v on the volumes' confinement ("" without volumes).
/// Throws Error if the filter cannot be installed.
std::string confineToRunLoop(int VcpuFd, const VolumeSet *Volumes = nullptr);

} // namespace ukcxx
