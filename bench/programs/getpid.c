// getpid.c: the cost of one system call, in TSC cycles, with a loop of getpid().
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <x86intrin.h>

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 100000;
  for (int i = 0; i < 1000; ++i) // warm up
    syscall(SYS_getpid);
  uint64_t start = __rdtsc();
  for (long i = 0; i < n; ++i)
    syscall(SYS_getpid);
  uint64_t cycles = __rdtsc() - start;
  printf("getpid: %.0f cycles per call (%ld calls)\n", (double)cycles / n, n);
  return 0;
}
