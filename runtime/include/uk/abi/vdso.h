/* vdso.h: the kernel's clock parameters on the vvar page, which the vDSO reads. */
#ifndef UK_ABI_VDSO_H
#define UK_ABI_VDSO_H

#include <stdint.h>

struct uk_vdso_data {
  uint64_t tsc_boot;       /* TSC at monotonic time 0 */
  uint64_t ns_per_tick_32; /* nanoseconds per TSC tick, times 2^32 */
  int64_t wall_at_boot;    /* realtime (ns since the epoch) at monotonic time 0 */
};

#endif
