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
/// With a network device (VmFd >= 0), the run loop may also set the VM's interrupt
/// routes (KVM_SET_GSI_ROUTING), which the guest's I/O APIC writes cause.
std::string confineToRunLoop(int VcpuFd, const VolumeSet *Volumes = nullptr, int VmFd = -1);

/// Confines the calling thread only (no TSYNC: the run loop's filter is separate) to
/// what the network thread calls: poll, eventfd and socket I/O on descriptors it holds,
/// accepting forwarded connections, memory, time. With Outbound, also what slirp needs
/// to connect out: TCP/UDP sockets, connect, and reading the host's resolv.conf.
/// Throws Error if the filter cannot be installed.
void confineNetworkThread(bool Outbound);

} // namespace ukcxx
