// irq.h: device interrupts: a platform's interrupt line (GSI) delivered to a handler.
#pragma once

#include "uk/trap.h"

namespace uk {

/// Delivers interrupt line Gsi (edge-triggered, active high) to Handler, which ends
/// with irq_done(). The kernel runs with interrupts off, so handlers run only while
/// the program runs or the CPU idles, never inside a system call.
void route_irq(unsigned gsi, IrqHandler handler);

/// Ends a device interrupt's handling (end of interrupt to the local APIC).
void irq_done();

/// Enables the local APIC (device interrupts arrive through it); idempotent.
void lapic_enable();
/// The local APIC's ID of this CPU (where device interrupts are sent).
uint32_t lapic_id();

} // namespace uk
