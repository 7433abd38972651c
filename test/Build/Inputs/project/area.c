// area.c KIND SIZE | --scratch FILE | crash: prints an area; writes and reads a scratch
// file; or dereferences null.
#include "shapes.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  if (argc > 1 && !strcmp(argv[1], "crash"))
    return *(volatile int *)0;
  if (argc > 2 && !strcmp(argv[1], "--scratch")) {
    FILE *f = fopen(argv[2], "w+");
    if (!f || fprintf(f, "area %g\n", shape_area("square", 2)) < 0)
      return 1;
    rewind(f);
    char line[64] = "";
    fgets(line, sizeof line, f);
    printf("scratch: %s", line);
    return strcmp(line, "area 4\n") != 0;
  }
  double area = argc > 2 ? shape_area(argv[1], atof(argv[2])) : -1;
  printf("area: %g\n", area);
  return area < 0;
}
