// time.h: the kernel's clocks, all derived from the TSC.
#pragma once

#include "uk/abi/vdso.h"
#include "uk/platform.h"

namespace uk {

void time_init(BootInfo &boot);
uint64_t monotonic_ns();
int64_t realtime_ns();
uint64_t tsc_hz();

/// The clock parameters the vDSO computes time from, the same as the kernel's.
void vdso_data(uk_vdso_data &data);
/// The TSC value Ns nanoseconds after boot (saturated: never past ~0 - 1).
uint64_t tsc_at(uint64_t monotonic);

} // namespace uk
