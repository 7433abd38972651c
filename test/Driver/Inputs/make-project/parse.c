#include <stdlib.h>
int parse(const char *s, double *a, char *op, double *b) {
  char *end;
  *a = strtod(s, &end);
  if (!*end)
    return 0;
  *op = *end++;
  *b = strtod(end, &end);
  return *end == 0;
}
