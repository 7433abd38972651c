// map-cost.c FILE: maps FILE read-only and privately, reads every page, and says how
// much free memory that took: nothing where the file's pages are borrowed (the packed
// tree's page-aligned files), its size where they are copied (packed-tree.test).
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <unistd.h>

static long free_kib(void) {
  struct sysinfo si;
  sysinfo(&si);
  return (long)(si.freeram * si.mem_unit / 1024);
}

int main(int argc, char **argv) {
  int fd = open(argv[1], O_RDONLY);
  struct stat st;
  fstat(fd, &st);
  long before = free_kib();
  const volatile unsigned char *p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  unsigned sum = 0;
  for (off_t i = 0; i < st.st_size; i += 4096)
    sum += p[i];
  long used = before - free_kib();
  printf("mapped %ld KiB, memory taken: %s (sum %u)\n", (long)st.st_size / 1024,
         used < 256                  ? "none"
         : used >= st.st_size / 1024 ? "a copy"
                                     : "some",
         sum);
  // PROT_NONE, then writable: the copies are made from pages the program cannot read.
  unsigned char *none = mmap(NULL, 8192, PROT_NONE, MAP_PRIVATE, fd, 0);
  if (mprotect(none, 8192, PROT_READ | PROT_WRITE))
    return perror("mprotect"), 1;
  none[0] ^= 1;
  printf("PROT_NONE made writable: first byte %s the file's\n",
         none[0] != p[0] ? "differs from" : "equals");

  // A reservation with the file mapped over its first pages, made writable at once:
  // each part as it is (the file's pages copied, the rest fresh memory).
  unsigned char *res = mmap(NULL, 16384, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  mmap(res, 8192, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0);
  int made = mprotect(res, 16384, PROT_READ | PROT_WRITE);
  unsigned char was = res[0];
  res[0] ^= 1;
  res[12000] = 7;
  printf("a file's pages and a reservation made writable together: %s, copy %s, "
         "reservation %s\n",
         made ? "failed" : "ok", was == p[0] && res[0] != p[0] ? "right" : "wrong",
         res[12000] == 7 && res[9000] == 0 ? "right" : "wrong");
  return 0;
}
