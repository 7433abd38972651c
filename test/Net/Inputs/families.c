// families.c: what a unikernel refuses, as Linux would refuse it: AF_NETLINK (which
// glibc tries first for getifaddrs and falls back from), AF_INET6 and AF_UNIX
// sockets fail with EAFNOSUPPORT; an IPv4 socket still works beside them.
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static void try(const char *name, int domain, int type) {
  int s = socket(domain, type, 0);
  printf("%s: %s\n", name, s < 0 ? strerror(errno) : "ok");
}

int main(void) {
  try("AF_NETLINK", AF_NETLINK, SOCK_RAW);
  try("AF_INET6", AF_INET6, SOCK_STREAM);
  try("AF_UNIX", AF_UNIX, SOCK_STREAM);
  try("AF_INET", AF_INET, SOCK_STREAM);
  return 0;
}
