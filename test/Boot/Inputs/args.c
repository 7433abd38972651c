// args.c: prints its arguments one a line, bracketed, so that any extra word shows.
#include <stdio.h>

int main(int argc, char **argv) {
  for (int i = 1; i < argc; ++i)
    printf("[%s]\n", argv[i]);
  printf("%d arguments\n", argc - 1);
  return 0;
}
