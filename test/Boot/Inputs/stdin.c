// Reads standard input with read(2), one call per argument (its size), and prints
// what each call returned.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  static char buf[65536];
  for (int i = 1; i < argc; ++i) {
    size_t size = strtoul(argv[i], NULL, 0);
    ssize_t n = read(0, buf, size);
    if (n < 0)
      printf("read(%zu): %s\n", size, strerror(errno));
    else
      printf("read(%zu) = %zd '%.*s'\n", size, n, (int)(n < 40 ? n : 40), buf);
  }
  return 0;
}
