#include <stdio.h>
int main(int argc, char **argv) {
  printf("hello from %s with %d arguments\n", argv[0], argc - 1);
  fprintf(stderr, "and to stderr\n");
  return 0;
}
