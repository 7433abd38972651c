// files.c READ_DIR WRITE_DIR [OPENS [ROUNDS]]: file costs: open+read+close of a small file, 1 MiB read
// sequentially, and 1 MiB written then read back, in microseconds and MB/s from the
// monotonic clock. READ_DIR holds small.txt and big.bin (made by bench/run.sh); in an
// image it is the packed tree or a volume, WRITE_DIR /tmp or a volume.
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static char buf[65536];

static double read_all(const char *path) {
  int fd = open(path, O_RDONLY);
  double bytes = 0;
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;)
    bytes += n;
  close(fd);
  return bytes;
}

int main(int argc, char **argv) {
  if (argc < 3)
    return 2;
  char small[4096], big[4096], scratch[4096];
  snprintf(small, sizeof small, "%s/small.txt", argv[1]);
  snprintf(big, sizeof big, "%s/big.bin", argv[1]);
  snprintf(scratch, sizeof scratch, "%s/scratch.bin", argv[2]);

  const int opens = argc > 3 ? atoi(argv[3]) : 20000, rounds = argc > 4 ? atoi(argv[4]) : 50;
  double start = now();
  for (int i = 0; i < opens; ++i)
    read_all(small);
  printf("open+read+close of a small file: %.2f us\n", (now() - start) / opens * 1e6);

  start = now();
  double bytes = 0;
  for (int i = 0; i < rounds; ++i)
    bytes += read_all(big);
  printf("sequential read, 64 KiB reads: %.0f MB/s\n", bytes / (now() - start) / 1e6);

  memset(buf, 'x', sizeof buf);
  start = now();
  for (int i = 0; i < rounds; ++i) {
    int fd = open(scratch, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    for (int j = 0; j < 16; ++j)
      write(fd, buf, sizeof buf);
    close(fd);
  }
  printf("1 MiB written, 64 KiB writes: %.0f MB/s\n",
         rounds * 1048576.0 / (now() - start) / 1e6);
  start = now();
  bytes = 0;
  for (int i = 0; i < rounds; ++i)
    bytes += read_all(scratch);
  printf("1 MiB read back: %.0f MB/s\n", bytes / (now() - start) / 1e6);
  unlink(scratch);
  return 0;
}
