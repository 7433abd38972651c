// lookup.c: a name lookup where no name server answers (the image has no
// resolv.conf, so glibc asks 127.0.0.1:53): it must fail at once, as on a Linux host
// without a resolver, not after the resolver's timeouts (5 s per try).
#include <netdb.h>
#include <stdio.h>
#include <time.h>

int main(void) {
  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  struct addrinfo *result;
  int error = getaddrinfo("example.com", "80", NULL, &result);
  clock_gettime(CLOCK_MONOTONIC, &end);
  long ms = (end.tv_sec - start.tv_sec) * 1000 + (end.tv_nsec - start.tv_nsec) / 1000000;
  printf("getaddrinfo: %s\n", error ? gai_strerror(error) : "found");
  printf("within a second: %s\n", ms < 1000 ? "yes" : "no");
  return 0;
}
