// boot_to_main.c: guest time from its first instruction to main(), from the TSC.
// The kernel passes the first instruction's TSC and the TSC frequency in the auxiliary
// vector (UK_AT_BOOT_TSC, UK_AT_TSC_HZ); natively they are absent and this prints 0.
#include <stdint.h>
#include <stdio.h>
#include <sys/auxv.h>
#include <x86intrin.h>

int main(void) {
  uint64_t now = __rdtsc();
  uint64_t boot = getauxval(0x75630001), hz = getauxval(0x75630002);
  if (!boot || !hz) {
    printf("boot_to_main: not in a ukc++ guest\n");
    return 0;
  }
  printf("boot_to_main: %llu cycles, %.1f us (TSC %.3f GHz)\n",
         (unsigned long long)(now - boot), (now - boot) * 1e6 / hz, hz / 1e9);
  return 0;
}
