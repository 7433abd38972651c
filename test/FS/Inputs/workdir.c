// workdir.c: starts where the manifest's workdir says, reads a file relative to it, and
// fills /tmp until it is full.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
  char cwd[256], line[64] = "";
  getcwd(cwd, sizeof cwd);
  FILE *f = fopen("app.conf", "r");
  if (f)
    fgets(line, sizeof line, f);
  printf("cwd %s, app.conf: %s", cwd, f ? line : "missing\n");
  int fd = open("/tmp/fill", O_CREAT | O_WRONLY, 0644);
  static char block[65536];
  long written = 0;
  for (ssize_t n; (n = write(fd, block, sizeof block)) > 0;)
    written += n;
  printf("/tmp took %ld KiB, then: %s\n", written >> 10, strerror(errno));
  return 0;
}
