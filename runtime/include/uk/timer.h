// timer.h: the one-shot timer the scheduler arms (the local APIC).
#pragma once

#include "uk/base.h"

namespace uk {

constexpr unsigned TimerVector = 0x20;

/// Arms the timer to interrupt at TSC Deadline (0 disarms it). Set up on first use.
void timer_arm(uint64_t tsc_deadline);

/// The TSC frequency measured over 2 ms of the local APIC timer, which QEMU (TCG) and
/// KVM both clock at 1 GHz; 0 if the timer does not count.
uint64_t lapic_tsc_hz();

/// Acknowledges the timer interrupt.
void timer_eoi();

} // namespace uk
