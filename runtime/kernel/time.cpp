// time.cpp: monotonic and wall time from the TSC, scaled with a 32.32 multiplier.
#include "uk/time.h"

#include "uk/cpu.h"
#include "uk/print.h"

namespace uk {
namespace {

uint64_t tsc_boot, tsc_frequency;
uint64_t ns_per_tick_32; // nanoseconds per TSC tick, times 2^32
int64_t wall_at_boot;

} // namespace

void time_init(BootInfo &boot) {
  tsc_frequency = boot.tsc_hz ? boot.tsc_hz : platform->tsc_hz();
  if (!tsc_frequency)
    PANIC("cannot tell the TSC frequency");
  ns_per_tick_32 = (uint64_t(1000000000) << 32) / tsc_frequency;
  if (boot.wall_ns) {
    tsc_boot = boot.tsc_at_wall;
    wall_at_boot = boot.wall_ns;
  } else {
    tsc_boot = rdtsc();
    wall_at_boot = platform->wall_clock_ns();
  }
}

uint64_t monotonic_ns() {
  uint64_t ticks = rdtsc() - tsc_boot;
  return uint64_t((unsigned __int128)ticks * ns_per_tick_32 >> 32);
}

int64_t realtime_ns() { return wall_at_boot + int64_t(monotonic_ns()); }

uint64_t tsc_hz() { return tsc_frequency; }

void vdso_data(uk_vdso_data &data) {
  data.tsc_boot = tsc_boot;
  data.ns_per_tick_32 = ns_per_tick_32;
  data.wall_at_boot = wall_at_boot;
}

uint64_t tsc_at(uint64_t ns) {
  // Saturated: a deadline past what the TSC can count to (centuries away: a sleep
  // "forever") is as good as never, and a quotient past 64 bits is a divide error.
  uint64_t limit = ~0ull - 1 - tsc_boot;
  if (ns >= muldiv(limit, 1000000000, tsc_frequency))
    return tsc_boot + limit;
  return tsc_boot + muldiv(ns, tsc_frequency, 1000000000);
}

} // namespace uk
