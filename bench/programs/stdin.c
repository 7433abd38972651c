// stdin.c: standard input throughput: reads it all with 64 KiB reads and reports MB/s,
// timed in the program from its first read to the end of input.
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int main(void) {
  static char buf[65536];
  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  long total = 0, reads = 0, n;
  while ((n = read(0, buf, sizeof buf)) > 0) {
    total += n;
    ++reads;
  }
  clock_gettime(CLOCK_MONOTONIC, &end);
  double s = (end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9;
  printf("stdin: %ld bytes in %ld reads, %.3f MB/s\n", total, reads, total / s / 1e6);
  return n < 0;
}
