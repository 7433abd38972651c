// Sandbox: once the VM is set up, the monitor confines itself to the few system calls
// its run loop makes (libseccomp); anything else ends it with a message.
#pragma once

namespace ukcxx {

/// Installs the allow-list for the run loop on vCPU descriptor VcpuFd. Throws Error
/// if the filter cannot be installed.
void confineToRunLoop(int VcpuFd);

} // namespace ukcxx
