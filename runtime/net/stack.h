// stack.h: the network stack (lwIP) as the socket calls use it.
#pragma once

#include "uk/base.h"

namespace uk::net {

/// Starts the stack on first use: lwIP, the loopback interface, and the network
/// device with its address, if the machine has one.
void stack_start();

/// After calls into lwIP: delivers looped-back packets, tells the device about the
/// frames queued, and sets the timer for lwIP's next timeout.
void stack_done();

/// True while TCP data or FINs wait for acknowledgement, or the device for sending.
bool sending();

/// Says once that Feature is not supported (the call fails with the errno Linux
/// would give).
void not_supported(const char *feature);

} // namespace uk::net
