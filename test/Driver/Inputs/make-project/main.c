#include <stdio.h>
double apply(char op, double a, double b);
int parse(const char *s, double *a, char *op, double *b);
int main(int argc, char **argv) {
  for (int i = 1; i < argc; ++i) {
    double a, b;
    char op;
    if (!parse(argv[i], &a, &op, &b)) {
      fprintf(stderr, "cannot parse '%s'\n", argv[i]);
      return 2;
    }
    printf("%s = %g\n", argv[i], apply(op, a, b));
  }
  return 0;
}
