// printf and strtod formatting, byte for byte as natively.
// REQUIRES: qemu
// RUN: %compare %s
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
  printf("[%d] [%5d] [%-5d] [%05d] [%+d] [%x] [%#X] [%o]\n", 42, 42, 42, 42, 42, 255, 255, 8);
  printf("[%ld] [%lld] [%" PRIu64 "] [%zu] [%p]\n", -1L, (long long)INT64_MIN, UINT64_MAX,
         sizeof(long double), (void *)0);
  double values[] = {0.0, -0.0, 1.0 / 3, 2.5e-310, 1e300, M_PI, 123456789.125, NAN, INFINITY};
  for (size_t i = 0; i < sizeof values / sizeof *values; ++i)
    printf("%f %e %g %.17g %a\n", values[i], values[i], values[i], values[i], values[i]);
  printf("%.30Lf\n", (long double)1 / 7);
  printf("[%10.3s] [%-10s] [%c]\n", "abcdef", "left", 'z');
  char buf[64];
  int n = snprintf(buf, sizeof buf, "%s-%d-%.2f", "snprintf", 7, 2.675);
  printf("%s %d\n", buf, n);
  const char *numbers[] = {"3.14159", "1e-5", "0x1p-3", "inf", "-nan", "  42abc"};
  for (size_t i = 0; i < 6; ++i) {
    char *end;
    double d = strtod(numbers[i], &end);
    printf("strtod(%s) = %.10g rest '%s'\n", numbers[i], d, end);
  }
  printf("DBL_MAX %g FLT_EPSILON %g\n", DBL_MAX, FLT_EPSILON);
  printf("sqrt %.15f sin %.15f exp %.15f log %.15f pow %.15f\n", sqrt(2), sin(1), exp(1), log(10),
         pow(2, 0.5));
  return 0;
}
