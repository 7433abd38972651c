/* vdso.c: the vDSO: clock_gettime, gettimeofday, time and clock_getres in ring 3, from
 * the TSC and the kernel's clock parameters on the page before this image (vvar).
 * glibc, static or not, calls these instead of system calls, so reading a clock costs
 * a few native instructions instead of a kernel entry. Built as its own tiny shared
 * object (vdso.ld), embedded in the kernel and mapped into the program. */
#include <stdint.h>
#include <sys/time.h>
#include <time.h>

#include "uk/abi/vdso.h"

extern const struct uk_vdso_data uk_vvar __attribute__((visibility("hidden")));

static long fallback(long nr, long a, long b) {
  long ret;
  __asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b) : "rcx", "r11", "memory");
  return ret;
}

static uint64_t monotonic_ns(void) {
  uint32_t lo, hi;
  __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
  uint64_t ticks = ((uint64_t)hi << 32 | lo) - uk_vvar.tsc_boot;
  return (uint64_t)((unsigned __int128)ticks * uk_vvar.ns_per_tick_32 >> 32);
}

static int64_t clock_ns(clockid_t id) {
  switch (id) {
  case CLOCK_REALTIME:
  case CLOCK_REALTIME_COARSE:
  case CLOCK_TAI:
    return uk_vvar.wall_at_boot + (int64_t)monotonic_ns();
  case CLOCK_MONOTONIC:
  case CLOCK_MONOTONIC_RAW:
  case CLOCK_MONOTONIC_COARSE:
  case CLOCK_BOOTTIME:
    return (int64_t)monotonic_ns();
  default:
    return -1; /* CPU-time clocks and the rest: the kernel knows */
  }
}

int __vdso_clock_gettime(clockid_t id, struct timespec *ts) {
  int64_t ns = clock_ns(id);
  if (ns < 0)
    return (int)fallback(228 /* clock_gettime */, id, (long)ts);
  ts->tv_sec = ns / 1000000000;
  ts->tv_nsec = ns % 1000000000;
  return 0;
}

int __vdso_gettimeofday(struct timeval *tv, void *tz) {
  int64_t ns = clock_ns(CLOCK_REALTIME);
  if (tv) {
    tv->tv_sec = ns / 1000000000;
    tv->tv_usec = ns % 1000000000 / 1000;
  }
  if (tz)
    return (int)fallback(96 /* gettimeofday */, 0, (long)tz);
  return 0;
}

time_t __vdso_time(time_t *t) {
  time_t s = clock_ns(CLOCK_REALTIME) / 1000000000;
  if (t)
    *t = s;
  return s;
}

int __vdso_clock_getres(clockid_t id, struct timespec *res) {
  if (clock_ns(id) < 0)
    return (int)fallback(229 /* clock_getres */, id, (long)res);
  if (res) {
    res->tv_sec = 0;
    res->tv_nsec = 1;
  }
  return 0;
}
