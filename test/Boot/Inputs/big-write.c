// Writes 1 MiB to standard output in one write().
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
int main(void) {
  size_t n = 1 << 20;
  char *buf = malloc(n);
  for (size_t i = 0; i < n; ++i)
    buf[i] = (i % 64 == 63) ? '\n' : 'a' + i % 26;
  return write(1, buf, n) == (ssize_t)n ? 0 : 1;
}
