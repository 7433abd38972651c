// names.c: name lookups as programs make them, through glibc's files in /etc: the name
// servers resolv.conf names, services and protocols by name, then getaddrinfo (service
// "http", any family) for each name given, its addresses in order.
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

static void name_servers(void) {
  FILE *f = fopen("/etc/resolv.conf", "r");
  if (!f) {
    printf("resolv.conf: none\n");
    return;
  }
  char line[256];
  int count = 0;
  while (fgets(line, sizeof line, f))
    if (!strncmp(line, "nameserver", 10)) {
      printf("resolv.conf: %s", line);
      ++count;
    }
  if (!count)
    printf("resolv.conf: no nameserver\n");
  fclose(f);
}

static void lookup(const char *name) {
  struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *result;
  int error = getaddrinfo(name, "http", &hints, &result);
  if (error) {
    printf("%s: %s\n", name, gai_strerror(error));
    return;
  }
  printf("%s:", name);
  for (struct addrinfo *a = result; a; a = a->ai_next) {
    char text[INET6_ADDRSTRLEN];
    const void *address = a->ai_family == AF_INET
                              ? (const void *)&((struct sockaddr_in *)a->ai_addr)->sin_addr
                              : (const void *)&((struct sockaddr_in6 *)a->ai_addr)->sin6_addr;
    int port = ntohs(((struct sockaddr_in *)a->ai_addr)->sin_port);
    inet_ntop(a->ai_family, address, text, sizeof text);
    printf(" %s port %d", text, port);
  }
  printf("\n");
  freeaddrinfo(result);
}

int main(int argc, char **argv) {
  name_servers();
  // Each answer is in a static buffer that the next call reuses.
  struct servent *s = getservbyname("http", "tcp");
  printf("service http/tcp: %d\n", s ? ntohs(s->s_port) : -1);
  s = getservbyname("domain", "udp");
  printf("service domain/udp: %d\n", s ? ntohs(s->s_port) : -1);
  s = getservbyport(htons(443), "tcp");
  printf("service 443/tcp: %s\n", s ? s->s_name : "(none)");
  struct protoent *p = getprotobyname("udp");
  printf("protocol udp: %d\n", p ? p->p_proto : -1);
  p = getprotobynumber(6);
  printf("protocol 6: %s\n", p ? p->p_name : "(none)");
  for (int i = 1; i < argc; ++i)
    lookup(argv[i]);
  return 0;
}
