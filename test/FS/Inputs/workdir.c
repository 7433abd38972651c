// workdir.c: starts where the manifest's workdir says, reads a file relative to it,
// makes and removes folders in /tmp, and fills /tmp until it is full.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void) {
  char cwd[256], line[64] = "";
  getcwd(cwd, sizeof cwd);
  FILE *f = fopen("app.conf", "r");
  if (f)
    fgets(line, sizeof line, f);
  printf("cwd %s, app.conf: %s", cwd, f ? line : "missing\n");
  int folders = 0; // more than a 1 MiB /tmp could hold if removed folders stayed
  for (int i = 0; i < 5000 && mkdir("/tmp/again", 0755) == 0; ++i)
    folders += rmdir("/tmp/again") == 0;
  printf("mkdir, rmdir: %d times\n", folders);
  int fd = open("/tmp/fill", O_CREAT | O_WRONLY, 0644);
  static char block[65536];
  long written = 0;
  for (ssize_t n; (n = write(fd, block, sizeof block)) > 0;)
    written += n;
  printf("/tmp took %ld KiB, then: %s\n", written >> 10, strerror(errno));
  return 0;
}
