// clocks.c: what the guest's clocks say: whether the wall clock was set at boot, the
// TSC frequency the kernel calibrated (its auxv entry), and that a sleep lasts.
#include <stdio.h>
#include <sys/auxv.h>
#include <time.h>

#define UK_AT_TSC_HZ 0x75630002 /* runtime/include/uk/abi/manifest.h */

static long long ns(clockid_t clock) {
  struct timespec t;
  clock_gettime(clock, &t);
  return t.tv_sec * 1000000000ll + t.tv_nsec;
}

int main(void) {
  long long wall = ns(CLOCK_REALTIME) / 1000000000;
  printf("wall clock: %s\n", wall > 1600000000 ? "set" : wall < 3600 ? "epoch" : "odd");
  printf("tsc kHz: %lu\n", getauxval(UK_AT_TSC_HZ) / 1000);
  long long start = ns(CLOCK_MONOTONIC);
  struct timespec ten_ms = {0, 10000000};
  nanosleep(&ten_ms, NULL);
  printf("slept 10 ms: %s\n", ns(CLOCK_MONOTONIC) - start >= 10000000 ? "yes" : "no");
  return 0;
}
