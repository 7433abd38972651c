// stack.h: the network stack (lwIP) as the socket calls use it.
#pragma once

#include "uk/abi/manifest.h"
#include "uk/base.h"

namespace uk::net {

/// Starts the stack on first use: lwIP, the loopback interface, and the network
/// device with its address, if the machine has one.
void stack_start();

/// After calls into lwIP: delivers looped-back packets, tells the device about the
/// frames queued, and sets the timer for lwIP's next timeout.
void stack_done();

/// The network device's IPv4 address (network byte order), starting the stack if
/// need be; 0 without a device.
uint32_t interface_address();

/// The name servers for /etc/resolv.conf (network byte order): the manifest's, else
/// the one ukrun's option names. Returns how many.
int name_servers(uint32_t (&servers)[UK_MANIFEST_NET_DNS]);

/// True while TCP data or FINs wait for acknowledgement, or the device for sending.
bool sending();

/// Says once that Feature is not supported (the call fails with the errno Linux
/// would give).
void not_supported(const char *feature);

} // namespace uk::net
