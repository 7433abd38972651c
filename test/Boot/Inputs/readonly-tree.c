// Without the 'fs' feature: what exists cannot be changed, what does not cannot be
// made or removed.
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SHOW(call) printf("%-28s %s\n", #call, (call) == 0 ? "ok" : strerror(errno))

int main(void) {
  SHOW(mkdir("/data", 0755));
  SHOW(mkdir("/dev/null", 0755));
  SHOW(unlink("/dev/null"));
  SHOW(unlink("/data/file"));
  SHOW(rmdir("/data"));
  SHOW(rename("/dev/zero", "/dev/zero2"));
  SHOW(rename("/nothing", "/else"));
  SHOW(chdir("/"));
  SHOW(chdir("/dev/null"));
  SHOW(chdir("/data"));
  return 0;
}
