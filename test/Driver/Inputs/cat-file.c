// cat-file.c: prints the file its first argument names (ukrun-volumes.test).
#include <errno.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
  FILE *f = argc > 1 ? fopen(argv[1], "r") : NULL;
  if (!f) {
    printf("%s: %s\n", argc > 1 ? argv[1] : "(no file)", strerror(errno));
    return 1;
  }
  for (int c; (c = fgetc(f)) != EOF;)
    putchar(c);
  return 0;
}
