// net.h: what the rest of the kernel tells the network stack.
#pragma once

namespace uk {

/// The boot command line's "uk.net=ADDRESS/PREFIX[,GATEWAY]" (ukrun writes it): the
/// interface's address, which overrides the manifest's. Weak: an image without the
/// network component has none, and the option is ignored.
void net_boot_option(const char *value) __attribute__((weak));

/// Before the program's end ends the VM: waits (at most about 2 s, running no other
/// thread) until the data and FINs of TCP connections are acknowledged and the device
/// has sent every frame, as they would leave a Linux host after the process exits.
/// Weak, like net_boot_option.
void net_drain() __attribute__((weak));

} // namespace uk
