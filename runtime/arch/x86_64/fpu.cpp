// fpu.cpp: saving the program's FPU, SSE and AVX state across thread switches, with
// XSAVE where the CPU has it (every component XCR0 enables), else FXSAVE.
#include "uk/cpu.h"

namespace uk {

size_t fpu_state_size() {
  if (!cpu_features.xsave)
    return 512;
  // CPUID 0xD.0 EBX: the XSAVE area size for the components XCR0 enables.
  return cpuid(0xd, 0).ebx;
}

void fpu_save(uint8_t *area) {
  if (cpu_features.xsave)
    asm volatile("xsave64 (%0)" ::"r"(area), "a"(~0u), "d"(~0u) : "memory");
  else
    asm volatile("fxsave64 (%0)" ::"r"(area) : "memory");
}

void fpu_restore(const uint8_t *area) {
  if (cpu_features.xsave)
    asm volatile("xrstor64 (%0)" ::"r"(area), "a"(~0u), "d"(~0u) : "memory");
  else
    asm volatile("fxrstor64 (%0)" ::"r"(area) : "memory");
}

} // namespace uk
