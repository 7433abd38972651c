#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(void) {
  pid_t p = fork();
  printf("fork: %d %s\n", (int)p, p < 0 ? strerror(errno) : "");
  return 0;
}
