// wait.cpp: waiting for a TSC deadline. With one thread nothing else can run, so the
// CPU spins; the threads component brings the timer interrupt and halting.
#include "uk/cpu.h"

namespace uk {

__attribute__((weak)) void wait_until(uint64_t tsc_deadline) {
  while (rdtsc() < tsc_deadline)
    cpu_relax();
}

} // namespace uk
