// Faults a program can make, chosen by argv[1].
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) int read_at(volatile int *p) { return *p; }
__attribute__((noinline)) int divide(volatile int a, volatile int b) { return a / b; }
__attribute__((noinline)) int recurse(int n) {
  volatile char buf[1024];
  buf[0] = (char)n;
  return recurse(n + 1) + buf[0];
}

int main(int argc, char **argv) {
  const char *what = argc > 1 ? argv[1] : "";
  if (!strcmp(what, "segv"))
    return read_at((int *)0x10);
  if (!strcmp(what, "write-rodata"))
    return *(volatile char *)"literal" = 1;
  if (!strcmp(what, "divide"))
    return divide(1, 0);
  if (!strcmp(what, "ud2"))
    __builtin_trap();
  if (!strcmp(what, "abort"))
    abort();
  if (!strcmp(what, "stack"))
    return recurse(0);
  if (!strcmp(what, "oom"))
    return malloc(1ull << 40) == NULL ? 3 : 0;
  return 0;
}
