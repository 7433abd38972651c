// volume-limits.c DIR: what a volume must survive (volume-limits.test): opening more
// files than it has fids for, a shared mapping written after its descriptor is closed,
// and one still mapped when the program exits.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv) {
  char path[512];
  int files = 9000, failed = 0;
  for (int i = 0; i < files; ++i) { // each made, then opened for reading and closed
    snprintf(path, sizeof path, "%s/many/%d", argv[1], i);
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
      if (!failed++)
        printf("open %s: %s\n", path, strerror(errno));
      continue;
    }
    close(fd);
  }
  printf("opened %d files, %d failed\n", files, failed);
  snprintf(path, sizeof path, "%s/after", argv[1]);
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  printf("a new file after them: %s\n", fd < 0 ? strerror(errno) : "made");
  close(fd);

  // Written through a shared mapping after close (as linkers write their output).
  snprintf(path, sizeof path, "%s/mapped", argv[1]);
  fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
  ftruncate(fd, 8192);
  char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  memcpy(p + 4096, "written after close", 19);
  munmap(p, 8192);

  // Still mapped at exit: Linux's page cache keeps it, and so must the volume.
  snprintf(path, sizeof path, "%s/at-exit", argv[1]);
  fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
  ftruncate(fd, 4096);
  p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  memcpy(p, "mapped at exit", 14);
  return 0;
}
