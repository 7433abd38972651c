// probe.c: a configure-time check (try_run).
#include <stdio.h>
int main(void) {
  printf("running in %s", "a unikernel");
  return 0;
}
